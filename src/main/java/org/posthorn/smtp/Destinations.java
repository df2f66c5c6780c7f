package org.posthorn.smtp;

import java.util.regex.Pattern;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.posthorn.dns.DnsException;
import org.posthorn.dns.HostLookup;
import org.posthorn.dns.MxHost;

/**
 * Turns a next-hop (qmgr's nexthop, or smtp_fallback_relay) into the ordered list of servers
 * to try, as Postfix's smtp_connect does: {@code domain[:port]} through its MX hosts (or the
 * domain's own addresses when it has no MX), {@code [host][:port]} without MX lookup; in LMTP
 * mode {@code inet:host[:port]}, {@code unix:/path}, never an MX lookup. Comma or space
 * separated lists are tried in order (Postfix 3.5).
 */
final class Destinations {
    private static final Pattern LIST = Pattern.compile("[,\\s]+");
    private final HostLookup lookup;
    private final boolean lmtp;
    private final int defaultPort;
    private final boolean ignoreMxLookupError;
    private final String myhostname;
    private final Path queueDirectory;
    private boolean dnssec;

    Destinations(HostLookup lookup, boolean lmtp, int defaultPort, boolean ignoreMxLookupError, String myhostname,
                 Path queueDirectory) {
        this.queueDirectory = queueDirectory;
        this.lookup = lookup;
        this.lmtp = lmtp;
        this.defaultPort = defaultPort;
        this.ignoreMxLookupError = ignoreMxLookupError;
        this.myhostname = myhostname;
    }

    /** Asks the DNS for DNSSEC status (smtp_dns_support_level = dnssec), so that targets know it (DANE). */
    void dnssec(boolean on) {
        this.dnssec = on;
    }

    /** One element of a next-hop list, parsed; text is the element as written (lower case). */
    record Hop(String host, int port, boolean mx, String unixPath, String text) {
    }

    /** Parses a next-hop list; bad syntax is an IllegalArgumentException naming the element. */
    List<Hop> parse(String nexthop) {
        List<Hop> out = new ArrayList<>();
        for (String item : LIST.split(nexthop)) {
            if (!item.isEmpty()) out.add(parseOne(item));
        }
        return out;
    }

    private Hop parseOne(String item) {
        String s = item;
        boolean mx = !lmtp;
        if (s.regionMatches(true, 0, "unix:", 0, 5)) {
            if (!lmtp) throw new IllegalArgumentException("unix: destination in SMTP mode: " + item);
            return new Hop(null, 0, false, s.substring(5), item);
        }
        if (s.regionMatches(true, 0, "inet:", 0, 5)) s = s.substring(5);
        if (lmtp && s.startsWith("/")) return new Hop(null, 0, false, s, item);
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0) throw new IllegalArgumentException("malformed destination: " + item);
            host = s.substring(1, end);
            mx = false;
            String rest = s.substring(end + 1);
            if (rest.startsWith(":")) port = rest.substring(1);
            else if (!rest.isEmpty()) throw new IllegalArgumentException("malformed destination: " + item);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon > 0 && s.indexOf(':') == colon) {
                host = s.substring(0, colon);
                port = s.substring(colon + 1);
            } else {
                host = s;
            }
        }
        if (host.isEmpty()) throw new IllegalArgumentException("empty host in destination: " + item);
        int p;
        try {
            p = port == null || port.isEmpty() ? defaultPort : SmtpParams.port(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in destination: " + item);
        }
        if (HostLookup.literal(host) != null) mx = false;
        return new Hop(host.toLowerCase(Locale.ROOT), p, mx, null, item.toLowerCase(Locale.ROOT));
    }

    /**
     * The servers of a next-hop list, best first, at most limit addresses (0 = no limit).
     * Lookup failures of one element are remembered; if no element gives an address the
     * most hopeful failure (temporary over permanent) is thrown.
     */
    List<Target> resolve(String nexthop, int limit) throws DnsException {
        List<Target> out = new ArrayList<>();
        DnsException failure = null;
        for (Hop hop : parse(nexthop)) {
            try {
                out.addAll(resolve(hop));
            } catch (DnsException e) {
                if (failure == null || (e.temporary() && !failure.temporary())) failure = e;
            }
        }
        if (out.isEmpty() && failure != null) throw failure;
        return limit > 0 && out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }

    private List<Target> resolve(Hop hop) throws DnsException {
        if (hop.unixPath() != null) return List.of(Target.unix(myhostname, hop.unixPath(), queueDirectory));
        List<Target> out = new ArrayList<>();
        if (hop.mx() && lookup.useDns()) {
            List<MxHost> mxHosts;
            boolean secure = false;
            try {
                HostLookup.MxAnswer answer = lookup.mx(hop.host(), dnssec);
                mxHosts = answer.hosts();
                secure = answer.authentic();
            } catch (DnsException e) {
                if (!(ignoreMxLookupError && e.kind() == DnsException.Kind.TRY_AGAIN)) throw e;
                mxHosts = List.of();
            }
            if (!mxHosts.isEmpty()) {
                DnsException failure = null;
                for (MxHost mx : mxHosts) {
                    try {
                        for (InetAddress ip : lookup.addresses(mx.host())) {
                            out.add(Target.inet(mx.host(), ip, hop.port()).from(hop.text(), hop.host(), secure));
                        }
                    } catch (DnsException e) {
                        if (failure == null || e.temporary()) failure = e;
                    }
                }
                if (out.isEmpty()) throw failure;
                return out;
            }
        }
        for (InetAddress ip : lookup.addresses(hop.host())) {
            String name = HostLookup.literal(hop.host()) != null ? ip.getHostAddress() : hop.host();
            // without MX lookup the host name is the destination itself (RFC 7672 2.2.2: DANE applies
            // when its address records are secure; Posthorn takes the destination as secure if DNSSEC is on)
            out.add(Target.inet(name, ip, hop.port()).from(hop.text(), hop.host(), dnssec && !hop.mx()));
        }
        return out;
    }
}
