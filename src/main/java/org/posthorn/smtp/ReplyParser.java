package org.posthorn.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Assembles server replies from bytes as they arrive, in chunks of any size: lines end in
 * LF (a CR before it is dropped), "ddd-" continues a reply and "ddd " or "ddd" ends it
 * (RFC 5321 4.2.1). Lines longer than {@link #MAX_LINE} are cut there, a reply keeps at most
 * {@link #MAX_LINES} lines, so a hostile server cannot make the client hold unbounded text.
 */
public final class ReplyParser {
    static final int MAX_LINE = 2048;
    static final int MAX_LINES = 100;

    private final byte[] line = new byte[MAX_LINE];
    private int length;
    private boolean overlong;
    private final List<String> lines = new ArrayList<>();
    private int code = -1;
    private String enhanced;
    private final List<Reply> ready = new ArrayList<>();

    /** Feeds bytes; complete replies become available through {@link #poll}. */
    public void feed(byte[] data, int off, int len) {
        for (int i = off; i < off + len; i++) {
            byte b = data[i];
            if (b == '\n') {
                endLine();
            } else if (length < MAX_LINE) {
                line[length++] = b;
            } else {
                overlong = true;
            }
        }
    }

    /** The oldest complete reply, or null if none is complete yet. */
    public Reply poll() {
        return ready.isEmpty() ? null : ready.removeFirst();
    }

    private void endLine() {
        int n = length;
        if (n > 0 && line[n - 1] == '\r' && !overlong) n--;
        String text = new String(line, 0, n, StandardCharsets.UTF_8);
        length = 0;
        overlong = false;
        int lineCode = codeOf(text);
        boolean more = text.length() > 3 && text.charAt(3) == '-';
        String rest = lineCode < 0 ? text : text.length() > 4 ? text.substring(4) : "";
        if (code < 0) {
            code = lineCode < 0 ? 0 : lineCode;
            enhanced = enhancedOf(rest);
        }
        if (lines.size() < MAX_LINES) lines.add(text);
        // a line without a valid code ends the reply (Postfix does the same with garbage)
        if (!more || lineCode < 0) {
            ready.add(new Reply(code, enhanced, List.copyOf(lines)));
            lines.clear();
            code = -1;
            enhanced = null;
        }
    }

    private static int codeOf(String text) {
        if (text.length() < 3) return -1;
        for (int i = 0; i < 3; i++) if (!Character.isDigit(text.charAt(i))) return -1;
        if (text.length() > 3 && text.charAt(3) != ' ' && text.charAt(3) != '-') return -1;
        return Integer.parseInt(text.substring(0, 3));
    }

    /** "5.1.1" at the start of the text (class 2, 4 or 5; subject and detail 1 to 3 digits), or null. */
    static String enhancedOf(String text) {
        int i = 0;
        if (text.isEmpty() || "245".indexOf(text.charAt(0)) < 0) return null;
        i++;
        for (int part = 0; part < 2; part++) {
            if (i >= text.length() || text.charAt(i) != '.') return null;
            int start = ++i;
            while (i < text.length() && Character.isDigit(text.charAt(i)) && i - start < 3) i++;
            if (i == start) return null;
        }
        if (i < text.length() && text.charAt(i) != ' ') return null;
        return text.substring(0, i);
    }
}
