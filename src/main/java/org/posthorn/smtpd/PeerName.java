package org.posthorn.smtpd;

import java.net.InetAddress;

/**
 * The client's host name as Postfix logs it: the reverse (PTR) name when it resolves back
 * to the client address, else {@code unknown}. Uses the JDK resolver, which checks the
 * forward lookup itself.
 */
final class PeerName {
    private PeerName() {
    }

    static String lookup(InetAddress address, boolean enabled) {
        if (!enabled) return "unknown";
        try {
            String name = InetAddress.getByAddress(address.getAddress()).getCanonicalHostName();
            if (name == null || name.equals(address.getHostAddress()) || name.isEmpty()) return "unknown";
            // the JDK may give back the numeric form in another spelling (IPv6)
            if (Character.digit(name.charAt(name.length() - 1), 10) >= 0 && name.indexOf('.') < 0) return "unknown";
            if (name.indexOf(':') >= 0) return "unknown";
            return name;
        } catch (Exception e) {
            return "unknown";
        }
    }
}
