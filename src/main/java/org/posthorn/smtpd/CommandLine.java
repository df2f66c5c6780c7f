package org.posthorn.smtpd;

import java.util.ArrayList;
import java.util.List;

/**
 * An SMTP command line split into words as Postfix's smtpd does: white space separates
 * words, {@code <...>} and {@code "..."} are single words, and the word after the verb is
 * split after its colon ({@code FROM:<a@b>} gives {@code FROM:} and {@code <a@b>}).
 * {@code text} is the whole line as received, for log lines.
 */
record CommandLine(String verb, List<String> args, String text) {

    static CommandLine parse(String line) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && isSpace(line.charAt(i))) i++;
            if (i >= n) break;
            int start = i;
            boolean afterVerb = words.size() == 1;
            while (i < n && !isSpace(line.charAt(i))) {
                char c = line.charAt(i);
                if (c == '<') {
                    i = skipAngle(line, i);
                } else if (c == '"') {
                    i = skipQuoted(line, i);
                } else if (c == ':' && afterVerb) {
                    i++;
                    break;
                } else {
                    i++;
                }
            }
            words.add(line.substring(start, i));
        }
        if (words.isEmpty()) return new CommandLine("", List.of(), line);
        return new CommandLine(words.getFirst(), List.copyOf(words.subList(1, words.size())), line);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0x0b;
    }

    private static int skipAngle(String s, int i) {
        i++;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                i = skipQuoted(s, i);
                continue;
            }
            if (c == '\\' && i + 1 < s.length()) {
                i += 2;
                continue;
            }
            i++;
            if (c == '>') break;
        }
        return i;
    }

    private static int skipQuoted(String s, int i) {
        i++;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                i += 2;
                continue;
            }
            i++;
            if (c == '"') break;
        }
        return i;
    }

    /**
     * The address of a MAIL FROM or RCPT TO word, without angle brackets and with a
     * deprecated source route ({@code @a,@b:user@c}) removed; null when the word is not a
     * single address. With strict_rfc821_envelopes the brackets are required.
     */
    static String extractAddress(String word, boolean strict) {
        String inner;
        if (word.startsWith("<")) {
            if (!word.endsWith(">") || word.length() < 2) return null;
            inner = word.substring(1, word.length() - 1);
        } else {
            if (strict) return null;
            inner = word;
        }
        // RFC 5321 4.1.2: a source route is accepted and ignored
        if (inner.startsWith("@")) {
            int colon = routeEnd(inner);
            if (colon < 0) return null;
            inner = inner.substring(colon + 1);
        }
        boolean quoted = false;
        boolean domain = false;
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '\\' && i + 1 < inner.length()) {
                i++;
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
                continue;
            }
            if (quoted) continue;
            if (c <= ' ' || c == 127 || "<>(),;".indexOf(c) >= 0) return null;
            if (c == '@') domain = true;
            // '[', ']' and ':' only in a domain literal such as [IPv6:::1]
            if ((c == '[' || c == ']' || c == ':') && !domain) return null;
        }
        return quoted ? null : inner;
    }

    private static int routeEnd(String s) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') quoted = !quoted;
            if (c == ':' && !quoted) return i;
        }
        return -1;
    }
}
