package org.posthorn.master;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The addresses an inet row of master.cf listens on, as master(5) reads its service
 * column: {@code host:port}, {@code [ipv6]:port}, or a bare port meaning every address
 * of inet_interfaces; the port is a number or a name from /etc/services.
 */
final class ListenAddress {
    static Path servicesFile = Path.of("/etc/services");

    private ListenAddress() {
    }

    /** The socket addresses to bind; IllegalArgumentException with Postfix-like text for bad input. */
    static List<InetSocketAddress> resolve(String service, String inetInterfaces, String inetProtocols) {
        String host = null;
        String port = service;
        if (service.startsWith("[")) {
            int close = service.indexOf(']');
            if (close < 0 || close + 1 >= service.length() || service.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("bad inet service address \"" + service + "\"");
            }
            host = service.substring(1, close);
            port = service.substring(close + 2);
        } else if (service.lastIndexOf(':') >= 0) {
            int colon = service.lastIndexOf(':');
            host = service.substring(0, colon);
            port = service.substring(colon + 1);
        }
        int number = port(port);
        List<InetSocketAddress> out = new ArrayList<>();
        if (host != null && !host.isEmpty()) {
            out.add(new InetSocketAddress(address(host), number));
            return out;
        }
        boolean v4 = !inetProtocols.contains("ipv6") || inetProtocols.contains("ipv4") || inetProtocols.contains("all");
        boolean v6 = inetProtocols.contains("ipv6") || inetProtocols.contains("all");
        for (String itf : inetInterfaces.split("[,\\s]+")) {
            if (itf.isEmpty()) continue;
            switch (itf.toLowerCase(Locale.ROOT)) {
                case "all" -> out.add(new InetSocketAddress(wildcard(v4, v6), number));
                case "loopback-only" -> {
                    if (v4) out.add(new InetSocketAddress(address("127.0.0.1"), number));
                    if (v6) out.add(new InetSocketAddress(address("::1"), number));
                }
                default -> out.add(new InetSocketAddress(address(itf.replace("[", "").replace("]", "")), number));
            }
        }
        if (out.isEmpty()) out.add(new InetSocketAddress(wildcard(v4, v6), number));
        return out;
    }

    /** "0.0.0.0" for IPv4 only, else "::" which the JDK binds dual-stack. */
    private static InetAddress wildcard(boolean v4, boolean v6) {
        return address(v6 ? "::" : "0.0.0.0");
    }

    private static InetAddress address(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host or address \"" + host + "\"");
        }
    }

    /** A port number, or a TCP service name looked up in /etc/services. */
    static int port(String port) {
        if (!port.isEmpty() && port.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(port.length() > 6 ? "999999" : port);
            if (n < 1 || n > 65535) throw new IllegalArgumentException("bad port number \"" + port + "\"");
            return n;
        }
        try {
            for (String line : Files.readAllLines(servicesFile)) {
                int hash = line.indexOf('#');
                String[] words = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
                if (words.length < 2 || !words[1].endsWith("/tcp")) continue;
                for (int i = 0; i < words.length; i++) {
                    if (i != 1 && words[i].equals(port)) return Integer.parseInt(words[1].substring(0, words[1].indexOf('/')));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("unknown service: " + port + "/tcp");
    }
}
