package org.posthorn.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Extracts the addresses from an RFC 5322 address list, as Postfix's sendmail does for
 * command-line recipients and for {@code -t} headers: {@code "Name" <a@b>, c@d (comment),
 * group: e@f;} gives {@code a@b c@d e@f}. Comments and display names are dropped, quoted
 * strings are unquoted and source routes kept, giving Postfix's internal form
 * ({@code "john doe"@x} is {@code john doe@x}); a bare {@code <>} gives the empty address.
 */
final class AddressList {
    private AddressList() {
    }

    static List<String> parse(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder plain = new StringBuilder();   // the address outside angle brackets
        StringBuilder angle = null;                  // the address inside <...>, once seen
        boolean sawAngle = false;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '(') {                          // comment, possibly nested
                int depth = 0;
                for (; i < n; i++) {
                    char d = text.charAt(i);
                    if (d == '\\') i++;
                    else if (d == '(') depth++;
                    else if (d == ')' && --depth == 0) break;
                }
                i++;
                continue;
            }
            if (c == '"') {                          // quoted string: unquoted (internal form)
                StringBuilder to = angle != null ? angle : plain;
                for (i++; i < n && text.charAt(i) != '"'; i++) {
                    if (text.charAt(i) == '\\' && i + 1 < n) i++;
                    to.append(text.charAt(i));
                }
                i++;
                continue;
            }
            if (c == '<') {
                angle = new StringBuilder();
                sawAngle = true;
                i++;
                continue;
            }
            if (c == '>' && angle != null) {
                plain.setLength(0);
                plain.append(angle);
                angle = null;
                i++;
                continue;
            }
            if (c == ':' && angle == null && !sawAngle) { // group name: what came before was no address
                plain.setLength(0);
                i++;
                continue;
            }
            if ((c == ',' || c == ';') && angle == null) {
                add(out, plain, sawAngle);
                plain.setLength(0);
                sawAngle = false;
                i++;
                continue;
            }
            if (!Character.isWhitespace(c)) {
                if (angle != null) angle.append(c);
                else if (!sawAngle) plain.append(c);
            }
            i++;
        }
        if (angle != null) plain.append(angle);
        add(out, plain, sawAngle);
        return out;
    }

    private static void add(List<String> out, StringBuilder address, boolean sawAngle) {
        String a = address.toString();
        if (sawAngle || !a.isEmpty()) out.add(a);
    }

    /** The sender of -f: {@code <a@b>} or {@code a@b}; {@code <>} and "" are the null sender. */
    static String sender(String text) {
        List<String> a = parse(text);
        return a.isEmpty() ? "" : a.getFirst();
    }
}
