package org.posthorn.tls;

import java.security.cert.X509Certificate;
import java.util.List;

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
    public static ServerCertCheck check(TlsPolicy.Level level, X509Certificate[] chain, CertVerifier verifier,
                                        List<String> names, List<Tlsa> records) {
        String untrusted = verifier.failure(chain);
        boolean trusted = untrusted == null;
        return switch (level) {
            case FINGERPRINT, DANE, DANE_ONLY -> {
                boolean ok = Dane.verify(records, chain, names);
                yield new ServerCertCheck(trusted || ok, ok, ok ? null : "num=1:unspecified certificate verification error");
            }
            case VERIFY, SECURE -> {
                if (!trusted) yield new ServerCertCheck(false, false, chainFailure(chain, untrusted));
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

    /**
     * Postfix's words for an untrusted chain: "untrusted issuer /CN=..." naming the issuer of
     * the top certificate when no CA vouches for it (whether or not the server sent its root),
     * else the verifier's reason (expired, self-signed leaf ...).
     */
    private static String chainFailure(X509Certificate[] chain, String reason) {
        X509Certificate top = chain[chain.length - 1];
        boolean rootSent = chain.length > 1 && top.getSubjectX500Principal().equals(top.getIssuerX500Principal());
        if (rootSent || reason.equals("unable to get local issuer certificate")) {
            return "untrusted issuer " + oneline(top.getIssuerX500Principal().getName());
        }
        return reason;
    }
}
