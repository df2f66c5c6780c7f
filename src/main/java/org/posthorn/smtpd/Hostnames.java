package org.posthorn.smtpd;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** Host name and address syntax checks as Postfix's valid_hostname() and valid_hostaddr() make them. */
final class Hostnames {
    /** RFC 1035 limits Postfix applies. */
    static final int MAX_NAME = 255;
    static final int MAX_LABEL = 63;

    private Hostnames() {
    }

    /**
     * Letters, digits, hyphens and underscores in dot-separated labels of at most 63
     * characters, no label starting or ending with a hyphen, at most 255 in all, and not
     * all-numeric (that would be an address).
     */
    static boolean validHostname(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME) return false;
        int label = 0;
        boolean nonNumeric = false;
        char prev = '.';
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (label == 0 || prev == '-') return false;
                label = 0;
            } else if (Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '-') {
                if (c == '-' && label == 0) return false;
                if (++label > MAX_LABEL) return false;
                if (!Character.isDigit(c)) nonNumeric = true;
            } else {
                return false;
            }
            prev = c;
        }
        return prev != '-' && nonNumeric;
    }

    /** A dotted-quad IPv4 address, or an IPv6 address when {@code ipv6} (without the IPv6: prefix). */
    static InetAddress parseAddress(String text, boolean ipv6) {
        if (text.isEmpty()) return null;
        if (!ipv6) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) return null;
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                String p = parts[i];
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) return null;
                int v = Integer.parseInt(p);
                if (v > 255) return null;
                b[i] = (byte) v;
            }
            try {
                return InetAddress.getByAddress(b);
            } catch (java.net.UnknownHostException e) {
                return null;
            }
        }
        for (char c : text.toCharArray()) {
            if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) return null;
        }
        if (text.indexOf(':') < 0) return null;
        try {
            InetAddress a = InetAddress.getByName(text);
            return a instanceof Inet6Address || a instanceof Inet4Address ? a : null;
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }
}
