package org.posthorn.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a main.cf or master.cf entry by entry, as postconf's editing options do: comment
 * and blank lines are copied; an entry the handler picks is replaced (with its continuation
 * lines), removed, or commented out line by line. The new text is written beside the file
 * and renamed over it, so readers see the old file or the new one.
 */
final class LineRewriter {
    interface Handler {
        /** Called at the first line of each entry, before anything of it is written. */
        default void entryStart(StringBuilder out) {
        }

        /** The key of the entry whose first line is line when it is to be edited, else null. */
        String editedKey(String line);

        /** Writes what replaces an entry (SET). */
        void replace(String key, StringBuilder out);

        /** Writes what comes after the last line. */
        default void finish(StringBuilder out) {
        }
    }

    private LineRewriter() {
    }

    static void rewrite(Path file, EditMode mode, Handler handler) throws IOException {
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
        boolean editing = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            // a file without a final newline keeps it that way, as Postfix's does
            String eol = i < lines.size() - 1 || finalNewline ? "\n" : "";
            String stripped = MainCf.stripCr(line);
            if (MainCf.isCommentOrBlank(stripped)) {
                out.append(line).append(eol);
            } else if (Character.isWhitespace(stripped.charAt(0))) {
                if (!editing) out.append(line).append(eol);
                else if (mode == EditMode.COMMENT) out.append('#').append(line).append(eol);
            } else {
                handler.entryStart(out);
                String key = handler.editedKey(stripped);
                editing = key != null;
                if (!editing) out.append(line).append(eol);
                else if (mode == EditMode.SET) handler.replace(key, out);
                else if (mode == EditMode.COMMENT) out.append('#').append(line).append(eol);
            }
        }
        handler.finish(out);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, out.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
