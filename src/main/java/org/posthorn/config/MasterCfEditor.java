package org.posthorn.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * postconf -Me, -MX and -M#: rewrites master.cf keeping every line it does not touch. An
 * edited entry is written in the folded layout of postconf -Mf; an entry that was not in
 * the file is appended. The new file replaces the old one with a rename.
 */
public final class MasterCfEditor {
    public enum Mode { SET, REMOVE, COMMENT }

    private MasterCfEditor() {
    }

    /**
     * edits maps "name/type" to the new entry (SET) or to null (REMOVE, COMMENT). As in
     * Postfix, a whole new entry (-Me) takes the old one's place, while an entry with one
     * field or parameter changed (-Fe, -Pe, -PX) is written after the comment lines that
     * follow the old one (afterComments).
     */
    public static void edit(Path file, Mode mode, Map<String, MasterCf.Service> edits, boolean afterComments)
            throws IOException {
        String text = Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        boolean finalNewline = text.isEmpty() || text.endsWith("\n");
        if (!lines.isEmpty() && lines.getLast().isEmpty()) lines.removeLast();
        StringBuilder out = new StringBuilder(text.length() + 256);
        List<String> done = new ArrayList<>();
        boolean editing = false;
        String pending = null; // a new entry is written where the next entry starts, after any comments
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String eol = i < lines.size() - 1 || finalNewline ? "\n" : "";
            String stripped = MainCf.stripCr(line);
            if (MainCf.isCommentOrBlank(stripped)) {
                out.append(line).append(eol);
                continue;
            }
            if (Character.isWhitespace(stripped.charAt(0))) {
                if (!editing) out.append(line).append(eol);
                else if (mode == Mode.COMMENT) out.append('#').append(line).append(eol);
                continue;
            }
            if (pending != null) {
                out.append(pending);
                pending = null;
            }
            List<String> w = PostconfFormat.words(stripped);
            String key = w.size() >= 2 ? w.get(0) + "/" + w.get(1) : "";
            editing = edits.containsKey(key);
            if (!editing) {
                out.append(line).append(eol);
                continue;
            }
            done.add(key);
            switch (mode) {
                case SET -> {
                    String entry = PostconfFormat.masterEntry(edits.get(key), true) + "\n";
                    if (afterComments) pending = entry;
                    else out.append(entry);
                }
                case COMMENT -> out.append('#').append(line).append(eol);
                case REMOVE -> { }
            }
        }
        if (pending != null) out.append(pending);
        if (mode == Mode.SET) {
            for (Map.Entry<String, MasterCf.Service> e : edits.entrySet()) {
                if (!done.contains(e.getKey())) out.append(PostconfFormat.masterEntry(e.getValue(), true)).append('\n');
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, out.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
