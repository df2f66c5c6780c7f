package org.posthorn.smtpd;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.posthorn.dns.DnsException;
import org.posthorn.dns.DnsResolver;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * smtpd's DNS questions answered through org.posthorn.dns, with Postfix's split between
 * "not found" (NXDOMAIN, no data, non-recoverable) and "try again" (SERVFAIL, timeouts).
 */
final class ResolverDnsLookup implements DnsLookup {
    private final DnsResolver resolver;

    ResolverDnsLookup(DnsResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public Answer addresses(String name) {
        Answer v4 = query(name, Type.A);
        Answer v6 = query(name, Type.AAAA);
        List<String> all = new ArrayList<>(v4.records());
        all.addAll(v6.records());
        if (!all.isEmpty()) return new Answer(all, false);
        return v4.tempFail() || v6.tempFail() ? Answer.TEMP_FAIL : Answer.NOT_FOUND;
    }

    @Override
    public Answer a(String name) {
        return query(name, Type.A);
    }

    @Override
    public Answer txt(String name) {
        return query(name, Type.TXT);
    }

    /** MX hosts by preference; a null MX (RFC 7505) is the one record "". */
    @Override
    public Answer mx(String domain) {
        return query(domain, Type.MX);
    }

    @Override
    public Answer ns(String domain) {
        return query(domain, Type.NS);
    }

    private Answer query(String name, int type) {
        List<Record> records;
        try {
            records = new ArrayList<>(resolver.query(name, type));
        } catch (DnsException e) {
            return e.temporary() ? Answer.TEMP_FAIL : Answer.NOT_FOUND;
        }
        if (type == Type.MX) records.sort(Comparator.comparingInt(r -> ((MXRecord) r).getPriority()));
        List<String> out = new ArrayList<>();
        for (Record r : records) out.add(text(r));
        return new Answer(out, false);
    }

    private static String text(Record r) {
        return switch (r) {
            case ARecord a -> a.getAddress().getHostAddress();
            case AAAARecord a -> a.getAddress().getHostAddress();
            case TXTRecord t -> String.join("", t.getStrings());
            case MXRecord m -> hostName(m.getTarget().toString(true));
            case NSRecord n -> hostName(n.getTarget().toString(true));
            default -> r.rdataToString();
        };
    }

    /** Without the trailing dot; the root (a null MX) becomes "". */
    private static String hostName(String name) {
        return name.equals(".") ? "" : name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
