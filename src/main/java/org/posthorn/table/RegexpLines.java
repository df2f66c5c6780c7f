package org.posthorn.table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Splits table source text into Postfix logical lines, as readllines() does: blank lines and
 * lines whose first non-blank character is '#' are skipped, a line that starts with white
 * space continues the previous logical line, and each logical line keeps the number of its
 * first physical line.
 */
final class RegexpLines {
    /** One logical line with trailing white space removed. */
    record Line(int number, String text) {
    }

    private RegexpLines() {
    }

    /**
     * The logical lines of text; source names the file in the warning about a logical line
     * that starts with white space (Postfix drops that line).
     */
    static List<Line> split(String text, String source, Consumer<String> warn) {
        List<Line> out = new ArrayList<>();
        String[] physical = text.split("\n", -1);
        int count = physical.length;
        // A final newline does not start another (empty) line.
        if (count > 0 && physical[count - 1].isEmpty()) count--;
        StringBuilder current = null;
        int first = 0;
        for (int i = 0; i < count; i++) {
            String line = physical[i];
            int lead = 0;
            while (lead < line.length() && isSpace(line.charAt(lead))) lead++;
            if (lead == line.length() || line.charAt(lead) == '#') continue;
            if (lead > 0 && current != null) {
                current.append(line);
                continue;
            }
            if (current != null) finish(first, current, out, source, warn);
            current = new StringBuilder(line);
            first = i + 1;
        }
        if (current != null) finish(first, current, out, source, warn);
        return out;
    }

    private static void finish(int number, StringBuilder text, List<Line> out, String source,
                               Consumer<String> warn) {
        int end = text.length();
        while (end > 0 && isSpace(text.charAt(end - 1))) end--;
        String line = text.substring(0, end);
        if (isSpace(line.charAt(0))) {
            // Continuation text without a logical line before it: Postfix drops it.
            String shown = line.length() > 30 ? line.substring(0, 30) + "..." : line;
            warn.accept(source + ": logical line must not start with whitespace: \"" + shown + "\"");
            return;
        }
        out.add(new Line(number, line));
    }

    /** C isspace() in the C locale. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    /** C isalnum() in the C locale. */
    static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
