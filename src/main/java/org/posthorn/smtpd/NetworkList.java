package org.posthorn.smtpd;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of client networks as in mynetworks: {@code a.b.c.d/n}, {@code [ipv6]/n}, single
 * addresses. Host names and {@code type:table} entries are not matched here (they need the
 * resolver and the table factory) and are skipped.
 */
final class NetworkList {
    private record Net(byte[] prefix, int bits) {
    }

    private final List<Net> nets;

    private NetworkList(List<Net> nets) {
        this.nets = nets;
    }

    static NetworkList parse(String value) {
        List<Net> nets = new ArrayList<>();
        for (String item : SmtpdSettings.splitList(value)) {
            String s = item;
            int bits = -1;
            int slash = s.lastIndexOf('/');
            if (slash > 0 && s.indexOf(':') < 0 || slash > 0 && s.lastIndexOf(']') < slash) {
                try {
                    bits = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
                s = s.substring(0, slash);
            }
            if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1);
            if (!looksNumeric(s)) continue;
            try {
                byte[] addr = InetAddress.getByName(s).getAddress();
                if (bits < 0 || bits > addr.length * 8) bits = addr.length * 8;
                nets.add(new Net(addr, bits));
            } catch (UnknownHostException e) {
                // not an address: skipped, see class comment
            }
        }
        return new NetworkList(nets);
    }

    private static boolean looksNumeric(String s) {
        if (s.isEmpty()) return false;
        for (char c : s.toCharArray()) {
            if (!(Character.digit(c, 16) >= 0 || c == '.' || c == ':')) return false;
        }
        return s.indexOf('.') > 0 || s.indexOf(':') >= 0;
    }

    boolean matches(InetAddress address) {
        byte[] a = address.getAddress();
        for (Net n : nets) {
            if (n.prefix.length != a.length) continue;
            if (prefixEquals(n.prefix, a, n.bits)) return true;
        }
        return false;
    }

    private static boolean prefixEquals(byte[] p, byte[] a, int bits) {
        int full = bits / 8;
        for (int i = 0; i < full; i++) if (p[i] != a[i]) return false;
        int rest = bits % 8;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (p[full] & mask) == (a[full] & mask);
    }
}
