package org.posthorn.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
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
        String name = nodeName();
        return name.indexOf('.') < 0 ? name + ".localdomain" : name;
    }

    /** The kernel's node name (like gethostname(), no DNS lookup), else Java's idea of it. */
    private static String nodeName() {
        try {
            String n = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!n.isEmpty()) return n;
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    static String domain() {
        String host = hostname();
        int dot = host.indexOf('.');
        return dot < 0 || dot == host.length() - 1 ? "localdomain" : host.substring(dot + 1);
    }
}
