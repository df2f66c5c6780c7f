package org.posthorn.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The smtp client's view of the DNS: the mail exchangers of a domain, sorted by preference
 * with equal preferences shuffled, and the addresses of a host, as {@code smtp_host_lookup}
 * (dns, native), {@code inet_protocols} and {@code disable_dns_lookups} say.
 *
 * @param resolver   the DNS resolver (unused when useDns is false)
 * @param useDns     MX, A and AAAA lookups through the DNS ("dns" in smtp_host_lookup)
 * @param useNative  host addresses through the system resolver as a fallback, or alone ("native")
 * @param ipv4       whether inet_protocols includes ipv4
 * @param ipv6       whether inet_protocols includes ipv6
 * @param random     shuffles equal-preference MX hosts (smtp_randomize_addresses); null keeps DNS order
 */
public record HostLookup(DnsResolver resolver, boolean useDns, boolean useNative, boolean ipv4, boolean ipv6,
                         RandomGenerator random) {

    /** Parses smtp_host_lookup, disable_dns_lookups and inet_protocols values. */
    public static HostLookup configure(DnsResolver resolver, String hostLookup, boolean disableDns,
                                       String inetProtocols, boolean randomize) {
        String lookup = hostLookup.toLowerCase(java.util.Locale.ROOT);
        boolean dns = !disableDns && lookup.contains("dns");
        boolean nat = lookup.contains("native") || !dns;
        String protocols = inetProtocols.toLowerCase(java.util.Locale.ROOT);
        boolean all = protocols.contains("all");
        boolean v4 = all || protocols.contains("ipv4");
        boolean v6 = all || protocols.contains("ipv6");
        if (!v4 && !v6) v4 = true;
        return new HostLookup(resolver, dns, nat, v4, v6, randomize ? new Random() : null);
    }

    /**
     * The domain's MX hosts, best first; an empty list when the domain has no MX record
     * (the caller then uses the domain itself, the implicit MX of RFC 5321 5.1).
     *
     * @throws DnsException NULL_MX (5.1.0) for a null MX, NOT_FOUND for NXDOMAIN,
     *                      TRY_AGAIN when the DNS cannot answer now
     */
    public List<MxHost> mx(String domain) throws DnsException {
        return mx(domain, false).hosts();
    }

    /** MX hosts and whether the DNS answer was DNSSEC-validated (the AD bit; for DANE). */
    public record MxAnswer(List<MxHost> hosts, boolean authentic) {
    }

    /** As {@link #mx(String)}; with dnssec the query asks for the AD bit (smtp_dns_support_level = dnssec). */
    public MxAnswer mx(String domain, boolean dnssec) throws DnsException {
        List<MxHost> hosts = new ArrayList<>();
        boolean authentic;
        try {
            DnsResolver.Answer answer = resolver.lookup(domain, Type.MX, dnssec);
            authentic = answer.authentic();
            for (Record r : answer.records()) {
                MXRecord mx = (MXRecord) r;
                String target = mx.getTarget().toString(true);
                hosts.add(new MxHost(mx.getPriority(), target.equals(".") ? "" : target));
            }
        } catch (DnsException e) {
            if (e.kind() == DnsException.Kind.NO_DATA) return new MxAnswer(List.of(), false);
            throw e;
        }
        if (hosts.size() == 1 && hosts.getFirst().isNull()) {
            throw new DnsException(DnsException.Kind.NULL_MX, "5.1.0",
                    "Domain " + domain + " does not accept mail (nullMX)");
        }
        hosts.removeIf(MxHost::isNull);
        return new MxAnswer(sort(hosts, random), authentic);
    }

    /** Sorts by preference; hosts of equal preference are shuffled when random is not null (RFC 5321 5.1). */
    public static List<MxHost> sort(List<MxHost> hosts, RandomGenerator random) {
        List<MxHost> out = new ArrayList<>(hosts);
        if (random != null) shuffle(out, random);
        out.sort(Comparator.comparingInt(MxHost::preference)); // stable: keeps the shuffle within a preference
        return out;
    }

    private static void shuffle(List<MxHost> list, RandomGenerator random) {
        for (int i = list.size() - 1; i > 0; i--) Collections.swap(list, i, random.nextInt(i + 1));
    }

    /**
     * The host's addresses: IPv4 first, then IPv6, as inet_protocols allows. With DNS lookups
     * a failure of both types throws the more hopeful error (TRY_AGAIN wins over NOT_FOUND);
     * the native resolver fails as "unable to look up host H: Name or service not known".
     */
    public List<InetAddress> addresses(String host) throws DnsException {
        InetAddress literal = literal(host);
        if (literal != null) return List.of(literal);
        if (!useDns) return nativeAddresses(host);
        List<InetAddress> out = new ArrayList<>();
        DnsException failure = null;
        if (ipv4) {
            try {
                for (Record r : resolver.query(host, Type.A)) out.add(((ARecord) r).getAddress());
            } catch (DnsException e) {
                failure = e;
            }
        }
        if (ipv6) {
            try {
                for (Record r : resolver.query(host, Type.AAAA)) out.add(((AAAARecord) r).getAddress());
            } catch (DnsException e) {
                if (failure == null || e.temporary()) failure = e;
            }
        }
        if (!out.isEmpty()) return out;
        if (useNative) {
            try {
                return nativeAddresses(host);
            } catch (DnsException e) {
                // report the DNS error, which says more
            }
        }
        throw failure;
    }

    private List<InetAddress> nativeAddresses(String host) throws DnsException {
        try {
            List<InetAddress> out = new ArrayList<>();
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (a instanceof Inet4Address ? ipv4 : ipv6) out.add(a);
            }
            if (out.isEmpty()) throw new UnknownHostException(host);
            out.sort(Comparator.comparingInt(a -> a instanceof Inet4Address ? 0 : 1));
            return out;
        } catch (UnknownHostException e) {
            throw new DnsException(DnsException.Kind.NOT_FOUND, "5.4.4",
                    "unable to look up host " + host + ": Name or service not known");
        }
    }

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]+");

    /** An IPv4 or IPv6 address literal ("192.0.2.1", "ipv6:2001:db8::1", "::1"), or null for a name. */
    public static InetAddress literal(String host) {
        String h = host.regionMatches(true, 0, "ipv6:", 0, 5) ? host.substring(5) : host;
        boolean v4 = IPV4.matcher(h).matches();
        boolean v6 = h.indexOf(':') >= 0 && IPV6.matcher(h).matches();
        if (!v4 && !v6) return null;
        try {
            InetAddress a = InetAddress.getByName(h); // a literal: no lookup happens
            return v6 && !(a instanceof Inet6Address) && !(a instanceof Inet4Address) ? null : a;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
