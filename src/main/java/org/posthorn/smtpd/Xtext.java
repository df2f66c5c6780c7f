package org.posthorn.smtpd;

/** RFC 3461 4 xtext: printable ASCII except '+' and '=', with "+XX" hex escapes. */
final class Xtext {
    private Xtext() {
    }

    /** The decoded text, or null when the value is not valid xtext. */
    static String decode(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                if (i + 2 >= s.length()) return null;
                int hi = hex(s.charAt(i + 1));
                int lo = hex(s.charAt(i + 2));
                if (hi < 0 || lo < 0) return null;
                out.append((char) (hi * 16 + lo));
                i += 2;
            } else if (c < '!' || c > '~' || c == '=') {
                return null;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int hex(char c) {
        // RFC 3461 asks for upper-case hex digits
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
