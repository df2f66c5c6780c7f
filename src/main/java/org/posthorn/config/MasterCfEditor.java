package org.posthorn.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * postconf -Me, -MX, -M#, -Fe, -Pe and -PX: rewrites master.cf keeping every line it does
 * not touch. An edited entry is written in the folded layout of postconf -Mf; an entry that
 * was not in the file is appended.
 */
public final class MasterCfEditor {
    private MasterCfEditor() {
    }

    /**
     * edits maps "name/type" to the new entry (SET) or to null (REMOVE, COMMENT). As in
     * Postfix, a whole new entry (-Me) takes the old one's place, while an entry with one
     * field or parameter changed (-Fe, -Pe, -PX) is written after the comment lines that
     * follow the old one (afterComments).
     */
    public static void edit(Path file, EditMode mode, Map<String, MasterCf.Service> edits, boolean afterComments)
            throws IOException {
        Set<String> done = new HashSet<>();
        LineRewriter.rewrite(file, mode, new LineRewriter.Handler() {
            private String pending; // an entry to write where the next entry starts

            @Override
            public void entryStart(StringBuilder out) {
                if (pending != null) out.append(pending);
                pending = null;
            }

            @Override
            public String editedKey(String line) {
                List<String> w = PostconfFormat.words(line);
                String key = w.size() >= 2 ? w.get(0) + "/" + w.get(1) : "";
                if (!edits.containsKey(key)) return null;
                done.add(key);
                return key;
            }

            @Override
            public void replace(String key, StringBuilder out) {
                String entry = PostconfFormat.masterEntry(edits.get(key), true) + "\n";
                if (afterComments) pending = entry;
                else out.append(entry);
            }

            @Override
            public void finish(StringBuilder out) {
                entryStart(out);
                if (mode != EditMode.SET) return;
                for (Map.Entry<String, MasterCf.Service> e : edits.entrySet()) {
                    if (!done.contains(e.getKey())) out.append(PostconfFormat.masterEntry(e.getValue(), true)).append('\n');
                }
            }
        });
    }
}
