package org.posthorn.tls;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What the smtp client concludes about a server certificate after the handshake, as
 * Postfix's TLS library records it: trusted (the chain leads to a CAfile/CApath anchor) and
 * matched (the level's check passed: a name at verify/secure, a fingerprint, a TLSA
 * record). The connection is logged "Verified" when matched, else "Trusted" when trusted,
 * else "Untrusted".
 *
 * @param trusted whether the chain validates to a trust anchor (or a DANE/fingerprint match)
 * @param matched whether the level's match succeeded
 * @param trust   the word for the log line: Verified, Trusted or Untrusted
 * @param failure OpenSSL's wording of why verification failed ("num=62:hostname mismatch",
 *                "untrusted issuer /CN=Test CA"), or null
 */
public record ServerCertCheck(boolean trusted, boolean matched, String failure, TlsLog.Trust trust) {

    /** Verified when matched, else Trusted when trusted, else Untrusted. */
    public ServerCertCheck(boolean trusted, boolean matched, String failure) {
        this(trusted, matched, failure,
                matched ? TlsLog.Trust.VERIFIED : trusted ? TlsLog.Trust.TRUSTED : TlsLog.Trust.UNTRUSTED);
    }

    /**
     * Checks a server chain (leaf first) for a level.
     *
     * @param names   reference names at verify/secure (a leading '.' for subdomains; IP literals)
     * @param records fingerprints (as DANE-EE records with the configured digest) or TLSA records
     */
    public static ServerCertCheck check(TlsPolicy.Level level, X509Certificate[] chain, Set<TrustAnchor> anchors,
                                        List<String> names, List<Tlsa> records) {
        boolean trusted = pkixTrusted(chain, anchors);
        return switch (level) {
            case FINGERPRINT, DANE, DANE_ONLY -> {
                boolean ok = Dane.verify(records, chain, names);
                yield new ServerCertCheck(trusted || ok, ok, ok ? null : "num=1:unspecified certificate verification error");
            }
            case VERIFY, SECURE -> {
                if (!trusted) {
                    String issuer = chain.length == 0 ? "" : oneline(chain[chain.length - 1].getIssuerX500Principal().getName());
                    yield new ServerCertCheck(false, false, "untrusted issuer " + issuer);
                }
                boolean ok = chain.length > 0 && CertNames.matches(chain[0], names);
                boolean ip = names.stream().anyMatch(n -> CertNames.ipLiteral(n) != null);
                yield new ServerCertCheck(true, ok, ok ? null : ip ? "num=64:IP address mismatch" : "num=62:hostname mismatch");
            }
            default -> new ServerCertCheck(trusted, false, null);
        };
    }

    /** A distinguished name as OpenSSL's one-line form writes it: "/C=DE/O=Example/CN=Example CA". */
    static String oneline(String rfc2253) {
        try {
            List<javax.naming.ldap.Rdn> rdns = new javax.naming.ldap.LdapName(rfc2253).getRdns();
            StringBuilder sb = new StringBuilder();
            for (javax.naming.ldap.Rdn r : rdns) sb.append('/').append(r.getType()).append('=').append(r.getValue());
            return sb.toString();
        } catch (javax.naming.InvalidNameException e) {
            return rfc2253;
        }
    }

    /** PKIX validation of the chain against the anchors (no revocation checks, as Postfix without CRLs). */
    static boolean pkixTrusted(X509Certificate[] chain, Set<TrustAnchor> anchors) {
        if (anchors.isEmpty() || chain.length == 0) return false;
        try {
            // the server may send its root too: a path ends below the anchor
            List<X509Certificate> path = Arrays.asList(chain);
            for (TrustAnchor a : anchors) {
                int at = path.indexOf(a.getTrustedCert());
                if (at == 0) return true;
                if (at > 0) path = path.subList(0, at);
            }
            PKIXParameters p = new PKIXParameters(anchors);
            p.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), p);
            return true;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
