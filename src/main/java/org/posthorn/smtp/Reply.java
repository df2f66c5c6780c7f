package org.posthorn.smtp;

import java.util.List;

/**
 * One server reply: the three-digit code, the RFC 3463 enhanced status when the reply starts
 * with one (null otherwise), and its lines as received (code and separator included).
 */
public record Reply(int code, String enhanced, List<String> lines) {
    /**
     * The reply as Postfix quotes it in status texts: the lines as received, joined with a
     * space ("550-5.7.1 first 550 5.7.1 last").
     */
    public String text() {
        return String.join(" ", lines);
    }

    /** The text of line i after the code and separator ("PIPELINING", "SIZE 10240000"). */
    public String lineText(int i) {
        String line = lines.get(i);
        return line.length() > 4 ? line.substring(4) : "";
    }

    /** The status to report: the enhanced code when given, else derived from the class (4.0.0, 5.0.0, 2.0.0). */
    public String dsn() {
        if (enhanced != null && enhanced.charAt(0) == Character.forDigit(code / 100, 10)) return enhanced;
        return (code / 100) + ".0.0";
    }

    public boolean positive() {
        return code / 100 == 2;
    }

    public boolean intermediate() {
        return code / 100 == 3;
    }

    public boolean transientFailure() {
        return code / 100 == 4;
    }
}
