package org.posthorn.smtp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * One server to try: the host name it was found under, and a TCP address or a UNIX-domain
 * socket path (LMTP); for TLS policy, the next-hop element it came from as written
 * (destination, the smtp_tls_policy_maps key), that element's domain (for the "nexthop"
 * match strategy), and whether the DNS vouched for the MX host with DNSSEC (for DANE).
 */
record Target(String hostname, SocketAddress address, String pathText, String destination, String domain,
              boolean dnssec) {
    static Target inet(String hostname, InetAddress ip, int port) {
        return new Target(hostname, new InetSocketAddress(ip, port), null, hostname, hostname, false);
    }

    /** This target as found for a next-hop element. */
    Target from(String destination, String domain, boolean dnssec) {
        return new Target(hostname, address, pathText, destination, domain, dnssec);
    }

    /**
     * A UNIX-domain socket; a relative path is taken from the queue directory, as Postfix's
     * lmtp does for "unix:private/dovecot-lmtp", and logged as written.
     */
    static Target unix(String hostname, String path, java.nio.file.Path queueDirectory) {
        return new Target(hostname, UnixDomainSocketAddress.of(queueDirectory.resolve(path)), path, path, hostname, false);
    }

    /** The address text inside the brackets: "192.0.2.1", "2001:db8::1", or the socket path. */
    String addressText() {
        if (address instanceof InetSocketAddress inet) {
            InetAddress ip = inet.getAddress();
            String text = ip.getHostAddress();
            int zone = text.indexOf('%');
            return ip instanceof Inet6Address && zone > 0 ? text.substring(0, zone) : text;
        }
        return pathText;
    }

    /** "host[ip]" as Postfix names a server in "host X said" and "lost connection with X". */
    String namaddr() {
        return hostname + "[" + addressText() + "]";
    }

    /** relay= text: "host[ip]:port", or "host[path]" for a UNIX-domain socket. */
    String relay() {
        return address instanceof InetSocketAddress inet ? namaddr() + ":" + inet.getPort() : namaddr();
    }

    /** The connection cache's key for this address. */
    String cacheKey() {
        return address instanceof InetSocketAddress inet ? addressText() + ":" + inet.getPort() : addressText();
    }
}
