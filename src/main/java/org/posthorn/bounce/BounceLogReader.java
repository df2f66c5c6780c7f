package org.posthorn.bounce;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.posthorn.log.Log;

/**
 * Reads a bounce, defer or trace log back into entries: name=value lines grouped by blank
 * lines, the legacy "&lt;rcpt&gt;: reason" line skipped, as Postfix's bounce_log reader does.
 * A group without a recipient is skipped with a warning naming the file and line.
 */
final class BounceLogReader {
    /** Bound on one log line, so a damaged file cannot exhaust memory. */
    private static final int MAX_LINE = 64 * 1024;
    /** Bound on entries per notice. */
    private static final int MAX_ENTRIES = 100_000;

    private BounceLogReader() {
    }

    /** The entries of a log file; empty when the file does not exist. */
    static List<BounceLogs.Entry> read(Path file, Log log) throws IOException {
        List<BounceLogs.Entry> out = new ArrayList<>();
        BufferedReader in;
        try {
            in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        }
        try (in) {
            Map<String, String> fields = new HashMap<>();
            int lineNo = 0;
            int groupStart = 1;
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.length() > MAX_LINE) line = line.substring(0, MAX_LINE);
                if (line.isEmpty()) {
                    add(out, fields, file, groupStart, log);
                    groupStart = lineNo + 1;
                    continue;
                }
                if (line.startsWith("<")) continue; // the legacy "<rcpt>: reason" line
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    log.warning("%s: line %d: ignoring malformed entry \"%s\"", file, lineNo, line);
                    continue;
                }
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
            add(out, fields, file, groupStart, log);
            if (out.size() > MAX_ENTRIES) throw new IOException(file + ": too many entries");
        }
        return out;
    }

    private static void add(List<BounceLogs.Entry> out, Map<String, String> f, Path file, int line, Log log) {
        if (f.isEmpty()) return;
        String rcpt = f.get("recipient");
        if (rcpt == null) {
            log.warning("%s: line %d: entry without recipient skipped", file, line);
            f.clear();
            return;
        }
        if (rcpt.equals("<>")) rcpt = "";
        out.add(new BounceLogs.Entry(rcpt, f.get("orig_rcpt"), number(f.get("offset")), f.get("dsn_orig_rcpt"),
                (int) number(f.get("notify_flags")), f.getOrDefault("status", ""), f.getOrDefault("action", ""),
                typed(f.get("diag_type"), f.get("diag_text")), typed(f.get("mta_type"), f.get("mta_name")),
                f.getOrDefault("reason", "")));
        f.clear();
    }

    private static long number(String s) {
        if (s == null) return 0;
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String typed(String type, String text) {
        return type == null || text == null ? null : type + "; " + text;
    }
}
