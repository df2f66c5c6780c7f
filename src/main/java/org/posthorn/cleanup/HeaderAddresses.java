package org.posthorn.cleanup;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Finds the addresses in an RFC 5322 address-list header value ({@code From:}, {@code To:},
 * ...) and replaces each with its rewritten form, keeping display names, comments, quoting
 * and folding as they were. Each address is the text inside {@code <...>} or, without angle
 * brackets, the mailbox with its comments and surrounding white space left out.
 */
final class HeaderAddresses {
    private HeaderAddresses() {
    }

    /** The value with every address passed through {@code rewrite}; the value itself when nothing changed. */
    static String rewrite(String value, UnaryOperator<String> rewrite) {
        StringBuilder out = new StringBuilder(value.length() + 32);
        int entryStart = 0;
        int i = 0;
        int angleStart = -1;
        boolean changed = false;
        int n = value.length();
        int copied = 0;
        while (i <= n) {
            char c = i < n ? value.charAt(i) : ',';
            if (i < n && c == '"') {
                i = skipQuoted(value, i);
                continue;
            }
            if (i < n && c == '(') {
                i = skipComment(value, i);
                continue;
            }
            if (c == '<') {
                angleStart = i + 1;
            } else if (c == '>' && angleStart >= 0) {
                copied = replace(value, angleStart, i, rewrite, out, copied);
                angleStart = -2; // this entry's address is done
            } else if (c == ':' && angleStart == -1) {
                entryStart = i + 1; // group display name ends
            } else if ((c == ',' || c == ';') && angleStart < 0) {
                if (angleStart == -1) {
                    int[] span = bareSpan(value, entryStart, i);
                    int first = entryStart;
                    while (first < i && Character.isWhitespace(value.charAt(first))) first++;
                    if (span != null && span[0] > first) {
                        // Postfix writes a leading comment after the rewritten address
                        String address = value.substring(span[0], span[1]);
                        String rewritten = rewrite.apply(address);
                        if (!rewritten.equals(address)) {
                            out.append(value, copied, first).append(rewritten).append(' ')
                                    .append(value, first, span[0]);
                            while (out.charAt(out.length() - 1) == ' ') out.setLength(out.length() - 1);
                            copied = span[1];
                        }
                    } else if (span != null) {
                        copied = replace(value, span[0], span[1], rewrite, out, copied);
                    }
                }
                angleStart = -1;
                entryStart = i + 1;
            }
            i++;
        }
        out.append(value, copied, n);
        String result = out.toString();
        changed = !result.equals(value);
        return changed ? result : value;
    }

    /**
     * A rewritten address header as Postfix writes it back: one address per piece, pieces
     * joined on one line while the line stays under 70 characters, else continued on a new
     * line starting with a TAB.
     */
    static String fold(String name, String value) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        int angle = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') i = skipQuoted(value, i) - 1;
            else if (c == '(') i = skipComment(value, i) - 1;
            else if (c == '<') angle++;
            else if (c == '>' && angle > 0) angle--;
            else if (c == ',' && angle == 0) {
                pieces.add(value.substring(start, i + 1));
                start = i + 1;
            }
        }
        pieces.add(value.substring(start));
        StringBuilder out = new StringBuilder(name).append(':');
        int lineStart = 0;
        boolean first = true;
        for (String raw : pieces) {
            String piece = raw.replaceAll("\n[ \t]*", " ").strip();
            if (piece.isEmpty()) continue;
            if (first || out.length() - lineStart + 1 + piece.length() < 70) {
                out.append(' ').append(piece);
            } else {
                out.append('\n');
                lineStart = out.length();
                out.append('\t').append(piece);
            }
            first = false;
        }
        return out.toString();
    }

    private static int replace(String value, int start, int end, UnaryOperator<String> rewrite, StringBuilder out, int copied) {
        String address = value.substring(start, end).strip();
        if (address.isEmpty()) return copied;
        int s = value.indexOf(address, start);
        String rewritten = rewrite.apply(address);
        if (rewritten.equals(address)) return copied;
        out.append(value, copied, s).append(rewritten);
        return s + address.length();
    }

    /** The span of a mailbox written without angle brackets, comments and white space trimmed. */
    private static int[] bareSpan(String value, int start, int end) {
        int s = start;
        int e = end;
        while (true) {
            while (s < e && Character.isWhitespace(value.charAt(s))) s++;
            if (s < e && value.charAt(s) == '(') {
                s = skipComment(value, s);
                continue;
            }
            break;
        }
        // a trailing comment: the address ends where the first top-level comment starts
        for (int j = s; j < e; j++) {
            char c = value.charAt(j);
            if (c == '"') j = skipQuoted(value, j) - 1;
            else if (c == '(') {
                e = j;
                break;
            }
        }
        while (e > s && Character.isWhitespace(value.charAt(e - 1))) e--;
        if (s >= e) return null;
        return new int[] {s, e};
    }

    private static int skipQuoted(String value, int i) {
        int j = i + 1;
        while (j < value.length() && value.charAt(j) != '"') {
            if (value.charAt(j) == '\\') j++;
            j++;
        }
        return Math.min(j + 1, value.length());
    }

    private static int skipComment(String value, int i) {
        int depth = 0;
        int j = i;
        while (j < value.length()) {
            char c = value.charAt(j);
            if (c == '\\') j++;
            else if (c == '(') depth++;
            else if (c == ')' && --depth == 0) return j + 1;
            j++;
        }
        return value.length();
    }
}
