package org.posthorn.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * postconf -e, -X and -#: rewrites main.cf in place, keeping comments, blank lines and the
 * order of everything it does not touch. Each definition of an edited name (with its
 * continuation lines) is replaced, removed or commented out; names that were not in the
 * file are appended at the end (in command-line order; Postfix's order is random). The new file
 * is written beside the old one and renamed over it, so readers see one or the other.
 */
public final class MainCfEditor {
    public enum Mode { SET, REMOVE, COMMENT }

    private MainCfEditor() {
    }

    /** For SET, edits maps names to new values; otherwise only the names count. */
    public static void edit(Path file, String label, Mode mode, Map<String, String> edits,
                            Consumer<String> warn) throws IOException {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            text = "";
        }
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        boolean finalNewline = text.isEmpty() || text.endsWith("\n");
        if (!lines.isEmpty() && lines.getLast().isEmpty()) lines.removeLast();

        StringBuilder out = new StringBuilder(text.length() + 256);
        Map<String, Integer> found = new LinkedHashMap<>();
        String editing = null; // the name whose continuation lines follow, when edited
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String eol = i < lines.size() - 1 || finalNewline ? "\n" : "";
            String stripped = MainCf.stripCr(line);
            if (MainCf.isCommentOrBlank(stripped)) {
                out.append(line).append(eol);
                continue;
            }
            if (Character.isWhitespace(stripped.charAt(0))) {
                if (editing == null) out.append(line).append(eol);
                else if (mode == Mode.COMMENT) out.append('#').append(line).append(eol);
                continue;
            }
            String name = nameOf(stripped);
            if (name == null || !edits.containsKey(name)) {
                editing = null;
                out.append(line).append(eol);
                continue;
            }
            editing = name;
            if (found.merge(name, 1, Integer::sum) == 2) {
                warn.accept(label + ": multiple entries for \"" + name + "\"");
            }
            switch (mode) {
                case SET -> out.append(name).append(" = ").append(edits.get(name)).append('\n');
                case COMMENT -> out.append('#').append(line).append(eol);
                case REMOVE -> { }
            }
        }
        if (mode == Mode.SET) {
            // Postfix appends in the order of a hash table with a random seed; command-line order here
            for (String name : edits.keySet()) {
                if (!found.containsKey(name)) out.append(name).append(" = ").append(edits.get(name)).append('\n');
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, out.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The parameter name a logical line defines, or null when it is not "name = value". */
    private static String nameOf(String line) {
        int eq = line.indexOf('=');
        if (eq <= 0) return null;
        String name = line.substring(0, eq).strip();
        return name.isEmpty() || name.chars().anyMatch(Character::isWhitespace) ? null : name;
    }
}
