package org.posthorn.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Sends one question to the configured recursive name servers and classifies the answer the
 * way Postfix's dns_lookup does: records, NXDOMAIN, no data, or "try again".
 *
 * <p>The servers come from /etc/resolv.conf, unless the system property
 * {@value #SERVERS_PROPERTY} names others ({@code 127.0.0.1:5353,[::1]:53}); tests point it at
 * a dnsmasq on a loopback port. {@value #TIMEOUT_PROPERTY} sets the per-query timeout
 * in seconds (default 5).
 */
public final class DnsResolver {
    /** Overrides resolv.conf's name servers: a comma-separated list of host:port. */
    public static final String SERVERS_PROPERTY = "posthorn.dns.servers";
    /** The per-query timeout in seconds. */
    public static final String TIMEOUT_PROPERTY = "posthorn.dns.timeout";

    private final Supplier<List<InetSocketAddress>> servers;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    private Resolver resolver;

    private DnsResolver(Supplier<List<InetSocketAddress>> servers, Duration timeout) {
        this.servers = servers;
        this.timeout = timeout;
    }

    /**
     * The resolver the system properties or /etc/resolv.conf describe. Nothing is read or
     * loaded before the first query, so a service that never looks anything up pays nothing.
     */
    public static DnsResolver system() {
        Duration timeout = Duration.ofSeconds(Long.getLong(TIMEOUT_PROPERTY, 5));
        String configured = System.getProperty(SERVERS_PROPERTY);
        if (configured != null && !configured.isBlank()) return of(parseServers(configured), timeout);
        return new DnsResolver(() -> {
            List<InetSocketAddress> found = ResolverConfig.getCurrentConfig().servers();
            return found.isEmpty() ? List.of(new InetSocketAddress("127.0.0.1", 53)) : found;
        }, timeout);
    }

    /** A resolver that asks exactly these servers, in order. */
    public static DnsResolver of(List<InetSocketAddress> servers, Duration timeout) {
        List<InetSocketAddress> copy = List.copyOf(servers);
        return new DnsResolver(() -> copy, timeout);
    }

    private Resolver resolver() {
        lock.lock();
        try {
            if (resolver == null) {
                List<Resolver> each = new ArrayList<>();
                for (InetSocketAddress s : servers.get()) {
                    SimpleResolver r = new SimpleResolver(s);
                    r.setTimeout(timeout);
                    each.add(r);
                }
                ExtendedResolver r = new ExtendedResolver(each);
                r.setTimeout(timeout);
                r.setRetries(1);
                resolver = r;
            }
            return resolver;
        } finally {
            lock.unlock();
        }
    }

    static List<InetSocketAddress> parseServers(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String s : text.split("[,\\s]+")) {
            if (s.isEmpty()) continue;
            String host = s;
            int port = 53;
            if (s.startsWith("[")) {
                int end = s.indexOf(']');
                host = s.substring(1, end);
                if (s.length() > end + 2) port = Integer.parseInt(s.substring(end + 2));
            } else if (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':')) {
                host = s.substring(0, s.indexOf(':'));
                port = Integer.parseInt(s.substring(s.indexOf(':') + 1));
            }
            out.add(new InetSocketAddress(host, port));
        }
        return out;
    }

    /**
     * The records of one type for a name (CNAMEs followed by the recursive server).
     *
     * @throws DnsException NOT_FOUND (NXDOMAIN), NO_DATA (no record of the type),
     *                      TRY_AGAIN (SERVFAIL, REFUSED, timeout), NO_RECOVERY (other errors)
     */
    public List<Record> query(String name, int type) throws DnsException {
        return lookup(name, type, false).records();
    }

    /**
     * The records of an answer and whether the recursive server vouched for them with the
     * AD bit (RFC 4035 3.2.3), which is all the DNSSEC validation Postfix itself does.
     */
    public record Answer(List<Record> records, boolean authentic) {
    }

    /**
     * As {@link #query}, and with dnssec the question asks for DNSSEC (EDNS0 DO bit and the
     * AD bit, as Postfix does with smtp_dns_support_level = dnssec) so that a validating
     * server says whether the answer is authentic. Without dnssec, authentic is false.
     */
    public Answer lookup(String name, int type, boolean dnssec) throws DnsException {
        String typeName = Type.string(type);
        Name qname;
        try {
            qname = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw DnsException.lookup(DnsException.Kind.NO_RECOVERY, name, typeName);
        }
        Message query = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
        if (dnssec) {
            query.getHeader().setFlag(Flags.AD);
            query.addRecord(new OPTRecord(1232, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
        }
        Message response;
        try {
            response = resolver().send(query);
        } catch (IOException e) {
            throw DnsException.lookup(DnsException.Kind.TRY_AGAIN, name, typeName);
        }
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) throw DnsException.lookup(DnsException.Kind.NOT_FOUND, name, typeName);
        if (rcode == Rcode.SERVFAIL || rcode == Rcode.REFUSED) {
            throw DnsException.lookup(DnsException.Kind.TRY_AGAIN, name, typeName);
        }
        if (rcode != Rcode.NOERROR) throw DnsException.lookup(DnsException.Kind.NO_RECOVERY, name, typeName);
        List<Record> out = new ArrayList<>();
        for (Record r : response.getSection(Section.ANSWER)) if (r.getType() == type) out.add(r);
        if (out.isEmpty()) throw DnsException.lookup(DnsException.Kind.NO_DATA, name, typeName);
        return new Answer(out, dnssec && response.getHeader().getFlag(Flags.AD));
    }
}
