package org.posthorn.address;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The machine's own mail addresses: those of inet_interfaces ("all" = every interface,
 * "loopback-only", or a list of names and addresses) and of proxy_interfaces (addresses a
 * proxy or NAT forwards to us), limited by inet_protocols. Postfix treats user@[addr] as
 * local when addr is one of these.
 */
public final class InterfaceAddresses {
    private final Set<InetAddress> own;
    private final Set<InetAddress> proxy;

    private InterfaceAddresses(Set<InetAddress> own, Set<InetAddress> proxy) {
        this.own = own;
        this.proxy = proxy;
    }

    /** From the values of inet_interfaces, proxy_interfaces and inet_protocols. */
    public static InterfaceAddresses of(List<String> inetInterfaces, List<String> proxyInterfaces,
                                        List<String> inetProtocols) throws UnknownHostException {
        boolean v4 = inetProtocols.isEmpty() || inetProtocols.contains("all") || inetProtocols.contains("ipv4");
        boolean v6 = inetProtocols.isEmpty() || inetProtocols.contains("all") || inetProtocols.contains("ipv6");
        return new InterfaceAddresses(resolve(inetInterfaces, true, v4, v6), resolve(proxyInterfaces, false, v4, v6));
    }

    private record Key(List<String> inet, List<String> proxy, List<String> protocols) {
    }

    private record Resolved(InterfaceAddresses addresses, long expires) {
    }

    private static final java.util.Map<Key, Resolved> RECENT = new java.util.concurrent.ConcurrentHashMap<>();
    private static final long KEEP_NANOS = 60_000_000_000L;

    /**
     * As {@link #of(List, List, List)}, reusing a result younger than a minute: a Postfix smtpd
     * learns the addresses once per process, and resolving them (or listing every interface
     * for "all") for each session cost more than the rest of its set-up.
     */
    public static InterfaceAddresses recent(List<String> inetInterfaces, List<String> proxyInterfaces,
                                            List<String> inetProtocols) throws UnknownHostException {
        Key key = new Key(List.copyOf(inetInterfaces), List.copyOf(proxyInterfaces), List.copyOf(inetProtocols));
        long now = System.nanoTime();
        Resolved r = RECENT.get(key);
        if (r != null && now - r.expires() < 0) return r.addresses();
        InterfaceAddresses a = of(inetInterfaces, proxyInterfaces, inetProtocols);
        if (RECENT.size() < 16 || RECENT.containsKey(key)) RECENT.put(key, new Resolved(a, now + KEEP_NANOS));
        return a;
    }

    /** A fixed set, for tests. */
    public static InterfaceAddresses of(Set<InetAddress> own, Set<InetAddress> proxy) {
        return new InterfaceAddresses(Set.copyOf(own), Set.copyOf(proxy));
    }

    private static Set<InetAddress> resolve(List<String> names, boolean allowAll, boolean v4, boolean v6)
            throws UnknownHostException {
        Set<InetAddress> out = new HashSet<>();
        for (String raw : names) {
            String name = raw.toLowerCase(Locale.ROOT);
            if (allowAll && name.equals("all")) {
                try {
                    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                        for (InetAddress a : Collections.list(ni.getInetAddresses())) out.add(stripScope(a));
                    }
                } catch (SocketException e) {
                    throw new UnknownHostException("cannot list network interfaces: " + e.getMessage());
                }
            } else if (name.equals("loopback-only")) {
                out.add(InetAddress.ofLiteral("127.0.0.1"));
                out.add(InetAddress.ofLiteral("::1"));
            } else {
                if (name.startsWith("[") && name.endsWith("]")) name = name.substring(1, name.length() - 1);
                for (InetAddress a : InetAddress.getAllByName(name)) out.add(stripScope(a));
            }
        }
        out.removeIf(a -> (a instanceof Inet4Address && !v4) || (a instanceof Inet6Address && !v6));
        return Set.copyOf(out);
    }

    private static InetAddress stripScope(InetAddress a) {
        if (a instanceof Inet6Address && ((Inet6Address) a).getScopeId() != 0) {
            try {
                return InetAddress.getByAddress(a.getAddress());
            } catch (UnknownHostException e) {
                return a;
            }
        }
        return a;
    }

    /** Whether the address is one of inet_interfaces or proxy_interfaces. */
    public boolean isLocal(InetAddress a) {
        InetAddress bare = stripScope(a);
        return own.contains(bare) || proxy.contains(bare);
    }

    /** Whether the address is one of inet_interfaces (permit_inet_interfaces). */
    public boolean isOwn(InetAddress a) {
        return own.contains(stripScope(a));
    }

    /**
     * Whether a domain "[addr]" names one of our addresses. The content must be a valid
     * mail address literal: dotted quad, or "IPv6:" and an IPv6 address.
     */
    public boolean isLocalLiteral(String domain) {
        if (!domain.startsWith("[") || !domain.endsWith("]") || domain.length() < 3) return false;
        String bare = Hostnames.mailhostAddress(domain.substring(1, domain.length() - 1));
        if (bare == null) return false;
        try {
            return isLocal(InetAddress.ofLiteral(bare));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
