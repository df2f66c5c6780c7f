package org.posthorn.address;

import java.net.IDN;

/**
 * Syntax checks for host names and numeric addresses with Postfix's rules
 * (valid_hostname, valid_hostaddr, valid_mailhost_literal): labels of letters, digits,
 * '_' and inner '-', at most 63 characters each and 255 in all, not all-numeric;
 * dotted-quad IPv4; IPv6 in full or ::-compressed form, optionally ending in dotted quad.
 */
public final class Hostnames {
    private static final int MAX_LABEL = 63;
    private static final int MAX_NAME = 255;

    private Hostnames() {
    }

    public static boolean validHostname(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME) return false;
        int label = 0;
        boolean nonNumeric = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean last = i + 1 == name.length();
            if (isAsciiLetterOrDigit(c) || c == '_') {
                if (++label > MAX_LABEL) return false;
                if (c < '0' || c > '9') nonNumeric = true;
            } else if (c == '.') {
                if (label == 0 || last) return false;
                label = 0;
            } else if (c == '-') {
                label++;
                if (label == 1 || last || name.charAt(i + 1) == '.') return false;
            } else {
                return false;
            }
        }
        return nonNumeric;
    }

    /**
     * A domain name that may be in UTF-8 (SMTPUTF8): checked in its ASCII (A-label) form
     * when utf8 is allowed and the name is not ASCII.
     */
    public static boolean validUtf8Hostname(String name, boolean utf8Allowed) {
        if (utf8Allowed && !isAscii(name)) {
            try {
                return validHostname(IDN.toASCII(name, IDN.ALLOW_UNASSIGNED));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return validHostname(name);
    }

    public static boolean validHostAddress(String addr) {
        if (addr.isEmpty()) return false;
        return addr.indexOf(':') >= 0 ? validIpv6(addr) : validIpv4(addr);
    }

    public static boolean validIpv4(String addr) {
        boolean inByte = false;
        int count = 0;
        int value = 0;
        for (int i = 0; i < addr.length(); i++) {
            char c = addr.charAt(i);
            if (c >= '0' && c <= '9') {
                if (!inByte) {
                    inByte = true;
                    value = 0;
                    count++;
                }
                value = value * 10 + (c - '0');
                if (value > 255) return false;
            } else if (c == '.') {
                if (!inByte || i + 1 == addr.length()) return false;
                // 0.0.0.0 is allowed, 0.1.2.3 is not
                if (count == 1 && value == 0 && !onlyZerosAndDots(addr)) return false;
                inByte = false;
            } else {
                return false;
            }
        }
        return count == 4;
    }

    private static boolean onlyZerosAndDots(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) != '0' && s.charAt(i) != '.') return false;
        return true;
    }

    public static boolean validIpv6(String addr) {
        int nullField = 0;
        int field = 0;
        int len = 0;
        int i = 0;
        while (true) {
            char c = i < addr.length() ? addr.charAt(i) : 0;
            switch (c) {
                case 0 -> {
                    if (field < 2) return false;
                    return !(len == 0 && nullField != field - 1);
                }
                case '.' -> {
                    if (field < 2 || field > 6) return false;
                    return validIpv4(addr.substring(i - len));
                }
                case ':' -> {
                    char next = i + 1 < addr.length() ? addr.charAt(i + 1) : 0;
                    if (field == 0 && len == 0 && isAsciiLetterOrDigit(next)) return false;
                    if (++field > 7) return false;
                    i++;
                    len = 0;
                    if (next == ':') {
                        if (nullField > 0) return false;
                        nullField = field;
                    }
                }
                default -> {
                    len = 0;
                    while (i + len < addr.length() && isHex(addr.charAt(i + len))) len++;
                    if (len > 4 || len == 0) return false;
                    i += len;
                }
            }
        }
    }

    /** The bare address of a mail address literal's content: "IPv6:" prefix for IPv6, none for IPv4; null if invalid. */
    public static String mailhostAddress(String content) {
        if (content.regionMatches(true, 0, "IPv6:", 0, 5)) {
            String bare = content.substring(5);
            return validIpv6(bare) ? bare : null;
        }
        return validIpv4(content) ? content : null;
    }

    /** Whether "[...]" is a valid address literal for mail (RFC 5321 section 4.1.3). */
    public static boolean validMailhostLiteral(String literal) {
        if (!literal.startsWith("[")) return false;
        int close = literal.indexOf(']');
        if (close < 0 || close + 1 != literal.length()) return false;
        String content = literal.substring(1, close);
        return content.length() < 64 && mailhostAddress(content) != null;
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) > 127) return false;
        return true;
    }
}
