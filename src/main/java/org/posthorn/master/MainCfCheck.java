package org.posthorn.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The syntax check {@code postfix check} makes on main.cf: every logical line (a line that
 * starts with white space continues the one before) is {@code name = value}. INTERIM: the
 * configuration parser in config/ takes this over at the merge.
 */
public final class MainCfCheck {
    private MainCfCheck() {
    }

    /** Errors in Postfix's words ("FILE, line N: missing '=' after attribute name: "TEXT""); empty if none or no file. */
    public static List<String> check(Path mainCf) throws IOException {
        List<String> errors = new ArrayList<>();
        if (!Files.exists(mainCf)) return errors;
        List<String> lines = Files.readAllLines(mainCf);
        StringBuilder logical = null;
        int start = 0;
        for (int i = 0; i <= lines.size(); i++) {
            String line = i < lines.size() ? lines.get(i) : null;
            if (line != null && (line.isBlank() || line.stripLeading().startsWith("#"))) continue;
            if (line != null && logical != null && Character.isWhitespace(line.charAt(0))) {
                logical.append(line);
                continue;
            }
            if (logical != null) {
                String text = logical.toString().strip();
                int eq = text.indexOf('=');
                String name = eq < 0 ? text : text.substring(0, eq).strip();
                if (eq < 0 || name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
                    errors.add(mainCf + ", line " + start + ": missing '=' after attribute name: \"" + text + "\"");
                }
            }
            if (line == null) break;
            logical = new StringBuilder(line);
            start = i + 1;
        }
        return errors;
    }
}
