package org.posthorn.table;

/**
 * IPv4 and IPv6 text forms as inet_pton(3) and inet_ntop(3) read and write them, without any
 * name lookup: four decimal octets without leading zeros; up to eight hex groups with at most
 * one "::" and an optional dotted IPv4 tail. Postfix's cidr tables and access(5) network
 * truncation depend on exactly these forms.
 */
public final class IpAddress {
    private IpAddress() {
    }

    /** The 4 or 16 address bytes, or null when the text is not an address. */
    public static byte[] parse(String text) {
        return text.indexOf(':') >= 0 ? parse6(text) : parse4(text);
    }

    static byte[] parse4(String s) {
        byte[] out = new byte[4];
        int octet = 0;
        int i = 0;
        int n = s.length();
        while (octet < 4) {
            int start = i;
            int value = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                if (value > 255) return null;
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 1 && s.charAt(start) == '0') return null;
            out[octet++] = (byte) value;
            if (octet < 4) {
                if (i >= n || s.charAt(i) != '.') return null;
                i++;
            }
        }
        return i == n ? out : null;
    }

    static byte[] parse6(String s) {
        byte[] out = new byte[16];
        int n = s.length();
        int i = 0;
        int at = 0;
        int gap = -1;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == n) return out;
        } else if (s.startsWith(":")) {
            return null;
        }
        while (i < n) {
            int start = i;
            int value = 0;
            while (i < n && Character.digit(s.charAt(i), 16) >= 0 && i - start < 5) {
                value = value * 16 + Character.digit(s.charAt(i), 16);
                i++;
            }
            int digits = i - start;
            if (i < n && s.charAt(i) == '.') {
                // dotted IPv4 tail takes the last four bytes
                if (at > 12) return null;
                byte[] v4 = parse4(s.substring(start));
                if (v4 == null) return null;
                System.arraycopy(v4, 0, out, at, 4);
                at += 4;
                i = n;
                break;
            }
            if (digits == 0 || digits > 4 || at > 14) return null;
            out[at++] = (byte) (value >> 8);
            out[at++] = (byte) value;
            if (i == n) break;
            if (s.charAt(i) != ':') return null;
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (gap >= 0) return null;
                gap = at;
                i++;
                if (i == n) break;
            } else if (i == n) {
                return null;
            }
        }
        if (gap >= 0) {
            if (at == 16) return null;
            int tail = at - gap;
            System.arraycopy(out, gap, out, 16 - tail, tail);
            java.util.Arrays.fill(out, gap, 16 - tail, (byte) 0);
        } else if (at != 16) {
            return null;
        }
        return out;
    }

    /** inet_ntop(3)'s text: dotted quad, or compressed lower-case IPv6 (longest zero run of two or more groups). */
    public static String format(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 255) + "." + (a[1] & 255) + "." + (a[2] & 255) + "." + (a[3] & 255);
        }
        int[] w = new int[8];
        for (int k = 0; k < 8; k++) w[k] = (a[2 * k] & 255) << 8 | (a[2 * k + 1] & 255);
        int bestBase = -1;
        int bestLen = 0;
        for (int k = 0; k < 8; ) {
            if (w[k] != 0) {
                k++;
                continue;
            }
            int start = k;
            while (k < 8 && w[k] == 0) k++;
            if (k - start > bestLen) {
                bestBase = start;
                bestLen = k - start;
            }
        }
        if (bestLen < 2) bestBase = -1;
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 8; k++) {
            if (bestBase >= 0 && k >= bestBase && k < bestBase + bestLen) {
                if (k == bestBase) sb.append(':');
                continue;
            }
            if (k != 0) sb.append(':');
            if (k == 6 && bestBase == 0 && (bestLen == 6 || bestLen == 5 && w[5] == 0xffff)) {
                sb.append(a[12] & 255).append('.').append(a[13] & 255).append('.')
                        .append(a[14] & 255).append('.').append(a[15] & 255);
                break;
            }
            sb.append(Integer.toHexString(w[k]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) sb.append(':');
        return sb.toString();
    }
}
