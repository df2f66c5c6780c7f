package org.posthorn.smtpd;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The DNS questions smtpd's restrictions ask (reject_unknown_*, reject_rbl_client,
 * reject_rhsbl_*, permit_dnswl_client, check_*_mx_access, check_*_ns_access).
 *
 * <p>{@link #JDK} answers address questions through the JDK resolver (which also reads
 * /etc/hosts); TXT, MX and NS questions wait for the org.posthorn.dns library and throw
 * {@link UnsupportedOperationException} until then.
 */
interface DnsLookup {
    /** The outcome of one question: the records found, none (NXDOMAIN / no data), or a temporary failure. */
    record Answer(List<String> records, boolean tempFail) {
        static final Answer NOT_FOUND = new Answer(List.of(), false);
        static final Answer TEMP_FAIL = new Answer(List.of(), true);

        boolean found() {
            return !records.isEmpty();
        }
    }

    /** A and AAAA records of a name, as address texts. */
    Answer addresses(String name);

    /** IPv4 A records only (DNS lists answer with 127.0.0.x). */
    Answer a(String name);

    /** TXT records (DNS list reasons); waits for org.posthorn.dns. */
    default Answer txt(String name) {
        throw new UnsupportedOperationException("TXT lookups need org.posthorn.dns");
    }

    /** MX host names; waits for org.posthorn.dns. */
    default Answer mx(String domain) {
        throw new UnsupportedOperationException("MX lookups need org.posthorn.dns");
    }

    /** NS host names; waits for org.posthorn.dns. */
    default Answer ns(String domain) {
        throw new UnsupportedOperationException("NS lookups need org.posthorn.dns");
    }

    /** The JDK resolver: addresses only. */
    DnsLookup JDK = new DnsLookup() {
        @Override
        public Answer addresses(String name) {
            return lookup(name, false);
        }

        @Override
        public Answer a(String name) {
            return lookup(name, true);
        }

        private Answer lookup(String name, boolean ipv4Only) {
            try {
                List<String> out = new ArrayList<>();
                for (InetAddress a : InetAddress.getAllByName(name)) {
                    if (!ipv4Only || a instanceof Inet4Address) out.add(a.getHostAddress());
                }
                return out.isEmpty() ? Answer.NOT_FOUND : new Answer(out, false);
            } catch (UnknownHostException e) {
                // the JDK does not tell NXDOMAIN from a server failure
                return Answer.NOT_FOUND;
            }
        }
    };
}
