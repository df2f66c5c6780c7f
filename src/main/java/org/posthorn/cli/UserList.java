package org.posthorn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.posthorn.config.Config;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;
import org.posthorn.table.TableFactory;

/**
 * A user list as in authorized_submit_users, authorized_flush_users and
 * authorized_mailq_users: login names, {@code !name} to exclude, {@code type:table}
 * lookups ({@code static:anyone} matches everyone) and {@code /file} names whose words are
 * read in place. The first matching element decides; no match means not authorized.
 */
final class UserList {
    private final String parameter;
    private final List<String> elements;
    private final Config config;

    private UserList(String parameter, List<String> elements, Config config) {
        this.parameter = parameter;
        this.elements = elements;
        this.config = config;
    }

    /** Postfix's default for all three parameters, used while the parameter registry lacks them. */
    static final String DEFAULT = "static:anyone";

    static UserList of(Config config, String parameter) {
        List<String> elements = config.raw(parameter) == null ? List.of(DEFAULT) : config.getList(parameter);
        return new UserList(parameter, elements, config);
    }

    /** Whether the user is on the list. */
    boolean allows(String user) {
        return allows(user, elements, 0);
    }

    private boolean allows(String user, List<String> items, int depth) {
        for (String item : items) {
            boolean negate = false;
            while (item.startsWith("!")) {
                negate = !negate;
                item = item.substring(1);
            }
            if (item.isEmpty()) continue;
            Boolean hit;
            if (item.startsWith("/")) {
                hit = depth < 10 && allows(user, readFile(item), depth + 1) ? Boolean.TRUE : null;
            } else if (item.indexOf(':') > 0) {
                hit = lookup(item, user) ? Boolean.TRUE : null;
            } else {
                hit = item.toLowerCase(Locale.ROOT).equals(user.toLowerCase(Locale.ROOT)) ? Boolean.TRUE : null;
            }
            if (hit != null) return !negate;
        }
        return false;
    }

    private boolean lookup(String spec, String user) {
        if (spec.startsWith("static:")) return true; // a static table answers every key
        try (Table table = TableFactory.open(spec, config)) {
            return table.lookup(user) != null;
        } catch (TableException e) {
            throw new CommandFailure(CommandFailure.EX_TEMPFAIL, parameter + ": " + spec + ": table lookup problem: " + e.getMessage());
        }
    }

    private List<String> readFile(String file) {
        List<String> words = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                String s = line.strip();
                if (s.isEmpty() || s.startsWith("#")) continue;
                for (String w : s.split("[,\\s]+")) if (!w.isEmpty()) words.add(w);
            }
        } catch (IOException e) {
            throw new CommandFailure(CommandFailure.EX_TEMPFAIL, parameter + ": open file " + file + ": " + e.getMessage());
        }
        return words;
    }
}
