package org.posthorn.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A private key with its certificate chain, leaf first, as one {@code smtpd_tls_chain_files}
 * entry or a {@code *_cert_file}/{@code *_key_file} pair gives them.
 */
public record KeyChain(PrivateKey key, List<X509Certificate> chain) {
    public KeyChain {
        chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    /** The key algorithm as JSSE names key types: RSA, EC, EdDSA, ... */
    public String keyType() {
        return key.getAlgorithm();
    }
}
