package org.posthorn.tls;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.posthorn.dns.DnsException;
import org.posthorn.dns.DnsResolver;
import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

/**
 * DANE for SMTP (RFC 7672) as Postfix's client does it: TLSA records at
 * {@code _port._tcp.host} count only when the validating resolver set the AD bit; DANE-EE(3)
 * records match the server's own certificate or key with no name or date checks; DANE-TA(2)
 * records match a CA certificate in the chain the server sent, below which the chain must be
 * correctly signed, current, and name one of the reference names. PKIX-TA(0) and PKIX-EE(1)
 * records are unusable for SMTP.
 */
public final class Dane {
    private Dane() {
    }

    /** What a TLSA lookup found. */
    public enum Found {
        /** Secure TLSA records, some usable. */
        USABLE,
        /** No TLSA records, or only an insecure (unsigned) answer: DANE does not apply. */
        NONE,
        /** Secure records, none usable: Postfix then requires encryption without authentication. */
        UNUSABLE
    }

    /** The result of a TLSA lookup: what was found and the usable records. */
    public record Lookup(Found found, List<Tlsa> records) {
    }

    /**
     * Looks up the TLSA records of a server.
     *
     * @throws DnsException when the DNS cannot answer (SERVFAIL, timeout): Postfix then defers
     *                      with "TLSA lookup error for host:port"
     */
    public static Lookup lookup(DnsResolver resolver, String host, int port) throws DnsException {
        DnsResolver.Answer answer;
        try {
            answer = resolver.lookup("_" + port + "._tcp." + host, Type.TLSA, true);
        } catch (DnsException e) {
            if (e.kind() == DnsException.Kind.NOT_FOUND || e.kind() == DnsException.Kind.NO_DATA) {
                return new Lookup(Found.NONE, List.of());
            }
            throw e;
        }
        if (!answer.authentic()) return new Lookup(Found.NONE, List.of());
        List<Tlsa> usable = new ArrayList<>();
        for (Record r : answer.records()) {
            TLSARecord t = (TLSARecord) r;
            Tlsa tlsa = new Tlsa(t.getCertificateUsage(), t.getSelector(), t.getMatchingType(), t.getCertificateAssociationData());
            if (tlsa.usable()) usable.add(tlsa);
        }
        return new Lookup(usable.isEmpty() ? Found.UNUSABLE : Found.USABLE, usable);
    }

    /**
     * Whether the chain the server sent (leaf first) satisfies the records.
     *
     * @param names the reference names for DANE-TA (the TLSA base domain, the MX names)
     */
    public static boolean verify(List<Tlsa> records, X509Certificate[] chain, List<String> names) {
        if (chain.length == 0) return false;
        for (Tlsa t : records) {
            if (t.usage() == Tlsa.DANE_EE && t.matches(chain[0])) return true;
        }
        for (int i = 1; i < chain.length; i++) {
            for (Tlsa t : records) {
                if (t.usage() == Tlsa.DANE_TA && t.matches(chain[i]) && signedUpTo(chain, i)) {
                    return CertNames.matches(chain[0], names);
                }
            }
        }
        return false;
    }

    /** Each certificate below the anchor at index top is current and signed by the next one. */
    private static boolean signedUpTo(X509Certificate[] chain, int top) {
        Date now = new Date();
        try {
            for (int i = 0; i < top; i++) {
                chain[i].checkValidity(now);
                chain[i].verify(chain[i + 1].getPublicKey());
            }
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
