package org.posthorn.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * SSLContexts built the Postfix way: one per service instance (its session cache is the
 * in-process tlsmgr shared by all sessions), peer certificates accepted during the handshake
 * and judged afterwards, since Postfix logs an untrusted certificate rather than refusing it.
 */
public final class TlsContexts {
    private TlsContexts() {
    }

    /**
     * A server context over the key chains; {@code issuers} are the CA names sent in a
     * certificate request; {@code sessionTimeoutSeconds} bounds resumption (smtpd_tls_session_cache_timeout).
     */
    public static SSLContext server(List<KeyChain> chains, List<X509Certificate> issuers, long sessionTimeoutSeconds) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new javax.net.ssl.KeyManager[] {new ChainKeyManager(chains)},
                    new TrustManager[] {new AcceptingTrustManager(issuers)}, null);
            ctx.getServerSessionContext().setSessionTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(0, sessionTimeoutSeconds)));
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /**
     * A trust manager that takes every peer chain (trust is judged after the handshake by
     * {@link CertVerifier}); {@code issuers} are the CA names it announces.
     */
    public static X509ExtendedTrustManager acceptingAll(List<X509Certificate> issuers) {
        return new AcceptingTrustManager(issuers);
    }

    private static final class AcceptingTrustManager extends X509ExtendedTrustManager {
        private final X509Certificate[] issuers;

        AcceptingTrustManager(List<X509Certificate> issuers) {
            this.issuers = issuers.toArray(X509Certificate[]::new);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return issuers.clone();
        }
    }
}
