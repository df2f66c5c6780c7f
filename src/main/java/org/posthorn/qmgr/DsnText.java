package org.posthorn.qmgr;

/**
 * A reason text that may start with an RFC 3463 status ("5.1.1 no such user"), as the
 * error and retry transports take it from their next hop: the status, if present, is
 * split off; otherwise the given default applies (Postfix's dsn_split).
 *
 * @param dsn  the status: the text's own, or the default
 * @param text the rest of the text
 */
public record DsnText(String dsn, String text) {
    /** Splits a leading "D.DDD.DDD " status off a text, falling back to defaultDsn. */
    public static DsnText split(String defaultDsn, String text) {
        String t = text == null ? "" : text.strip();
        int len = statusLength(t);
        if (len > 0 && (len == t.length() || Character.isWhitespace(t.charAt(len)))) {
            return new DsnText(t.substring(0, len), t.substring(len).strip());
        }
        return new DsnText(defaultDsn, t);
    }

    /** The length of a status at the start of s (class 2, 4 or 5, then 1-3 and 1-3 digits), or 0. */
    static int statusLength(String s) {
        if (s.length() < 5) return 0;
        char c = s.charAt(0);
        if ((c != '2' && c != '4' && c != '5') || s.charAt(1) != '.') return 0;
        int i = 2;
        int digits = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && digits < 3) {
            i++;
            digits++;
        }
        if (digits == 0 || i >= s.length() || s.charAt(i) != '.') return 0;
        i++;
        digits = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && digits < 3) {
            i++;
            digits++;
        }
        return digits == 0 ? 0 : i;
    }
}
