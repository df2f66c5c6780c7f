package org.posthorn.table;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Postfix's logical lines of a table source file: '#' comment lines and blank lines are
 * skipped, a line that starts with white space continues the previous logical line (its
 * text is appended as is, leading white space included), trailing white space and CR are
 * dropped. A logical line carries the number of its first physical line.
 */
public final class SourceLines {
    /** Longest physical line we accept; longer lines are cut, as a bounded buffer must. */
    static final int MAX_LINE = 1 << 20;

    /** One logical line and the number of its first physical line. */
    public record Line(int number, String text) {
    }

    private SourceLines() {
    }

    /**
     * Reads a source file's logical lines. Bytes that are not UTF-8 become U+FFFD rather than
     * failing the whole table.
     */
    public static List<Line> read(Path file, Consumer<String> warn) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            return read(r, file.toString(), warn);
        }
    }

    /**
     * Reads all logical lines. A continuation line with nothing before it is reported to
     * {@code warn} in Postfix's words ("logical line must not start with whitespace") and skipped.
     */
    public static List<Line> read(BufferedReader in, String fileName, Consumer<String> warn) throws IOException {
        List<Line> out = new ArrayList<>();
        StringBuilder current = null;
        int start = 0;
        int number = 0;
        String raw;
        while ((raw = in.readLine()) != null) {
            number++;
            if (raw.length() > MAX_LINE) raw = raw.substring(0, MAX_LINE);
            String text = stripTrailing(raw);
            int first = firstNonSpace(text);
            if (first < 0 || text.charAt(first) == '#') continue;
            if (first > 0) {
                if (current != null) {
                    current.append(text);
                } else {
                    warn.accept(fileName + ": logical line must not start with whitespace: \"" + text + "\"");
                }
                continue;
            }
            if (current != null) out.add(new Line(start, current.toString()));
            current = new StringBuilder(text);
            start = number;
        }
        if (current != null) out.add(new Line(start, current.toString()));
        return out;
    }

    static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }

    static int firstNonSpace(String s) {
        for (int i = 0; i < s.length(); i++) if (!isSpace(s.charAt(i))) return i;
        return -1;
    }

    /** White space as Postfix's ISSPACE: blank, tab, CR, LF, FF, VT. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0x0b;
    }
}
