package org.posthorn.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The computed defaults of myhostname and mydomain: the host's name, made fully qualified
 * with ".localdomain" when it has no dot, and that name minus its first label.
 *
 * <p>FOUNDATION STUB (added for trivial-rewrite): the parameter registry work may replace it.
 */
final class HostIdentity {
    private HostIdentity() {
    }

    static String hostname() {
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            name = "localhost";
        }
        return name.indexOf('.') < 0 ? name + ".localdomain" : name;
    }

    static String domain() {
        String host = hostname();
        int dot = host.indexOf('.');
        return dot < 0 || dot == host.length() - 1 ? "localdomain" : host.substring(dot + 1);
    }
}
