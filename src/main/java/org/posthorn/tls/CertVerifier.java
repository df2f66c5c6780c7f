package org.posthorn.tls;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a peer's certificate chain leads to one of the CAs of {@code *_tls_CAfile} /
 * {@code *_tls_CApath} (the "Trusted" of Postfix's log lines), within a depth limit.
 * No revocation checks, as Postfix without a CRL setup.
 */
public final class CertVerifier {
    private final Set<TrustAnchor> anchors = new HashSet<>();
    private final int maxDepth;

    public CertVerifier(List<X509Certificate> cas, int maxDepth) {
        for (X509Certificate c : cas) anchors.add(new TrustAnchor(c, null));
        this.maxDepth = maxDepth;
    }

    public boolean hasAnchors() {
        return !anchors.isEmpty();
    }

    public List<X509Certificate> issuers() {
        return anchors.stream().map(TrustAnchor::getTrustedCert).toList();
    }

    /** True when the chain (leaf first) is valid now and ends at one of the CAs. */
    public boolean trusted(X509Certificate[] chain) {
        return failure(chain) == null;
    }

    /**
     * Why the chain is not trusted, in OpenSSL's words as Postfix logs them ("self-signed
     * certificate", "unable to get local issuer certificate", "certificate has expired"), or null.
     */
    public String failure(X509Certificate[] chain) {
        if (chain == null || chain.length == 0) return "no certificate";
        if (anchors.isEmpty() || !validates(chain)) {
            X509Certificate leaf = chain[0];
            try {
                leaf.checkValidity();
            } catch (java.security.cert.CertificateExpiredException e) {
                return "certificate has expired";
            } catch (java.security.cert.CertificateNotYetValidException e) {
                return "certificate is not yet valid";
            }
            if (chain.length > maxDepth + 1) return "certificate chain too long";
            return leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal()) ? "self-signed certificate"
                    : "unable to get local issuer certificate";
        }
        return null;
    }

    private boolean validates(X509Certificate[] chain) {
        // a chain that includes its root: validate without it (PKIX wants anchors outside the path)
        List<X509Certificate> path = Arrays.asList(chain);
        while (path.size() > 1 && isAnchor(path.getLast())) path = path.subList(0, path.size() - 1);
        if (path.size() > maxDepth + 1) return false;
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            return true;
        } catch (GeneralSecurityException e) {
            return isAnchor(chain[0]);
        }
    }

    private boolean isAnchor(X509Certificate c) {
        for (TrustAnchor a : anchors) if (a.getTrustedCert().equals(c)) return true;
        return false;
    }
}
