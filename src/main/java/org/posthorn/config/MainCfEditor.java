package org.posthorn.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * postconf -e, -X and -#: rewrites main.cf in place, keeping comments, blank lines and the
 * order of everything it does not touch. Each definition of an edited name (with its
 * continuation lines) is replaced, removed or commented out; names that were not in the
 * file are appended at the end (in command-line order; Postfix's order is random).
 */
public final class MainCfEditor {
    private MainCfEditor() {
    }

    /** For SET, edits maps names to new values; otherwise only the names count. */
    public static void edit(Path file, String label, EditMode mode, Map<String, String> edits,
                            Consumer<String> warn) throws IOException {
        Map<String, Integer> found = new HashMap<>();
        LineRewriter.rewrite(file, mode, new LineRewriter.Handler() {
            @Override
            public String editedKey(String line) {
                String name = nameOf(line);
                if (name == null || !edits.containsKey(name)) return null;
                if (found.merge(name, 1, Integer::sum) == 2) {
                    warn.accept(label + ": multiple entries for \"" + name + "\"");
                }
                return name;
            }

            @Override
            public void replace(String name, StringBuilder out) {
                out.append(name).append(" = ").append(edits.get(name)).append('\n');
            }

            @Override
            public void finish(StringBuilder out) {
                if (mode != EditMode.SET) return;
                for (Map.Entry<String, String> e : edits.entrySet()) {
                    if (!found.containsKey(e.getKey())) replace(e.getKey(), out);
                }
            }
        });
    }

    /** The parameter name a logical line defines, or null when it is not "name = value". */
    private static String nameOf(String line) {
        int eq = line.indexOf('=');
        if (eq <= 0) return null;
        String name = line.substring(0, eq).strip();
        return name.isEmpty() || name.chars().anyMatch(Character::isWhitespace) ? null : name;
    }
}
