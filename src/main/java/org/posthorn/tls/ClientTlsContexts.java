package org.posthorn.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * The TLS contexts of one smtp or lmtp service: the trust anchors of smtp_tls_CAfile and
 * smtp_tls_CApath (no system CAs, as Postfix's tls_append_default_CA = no), the client
 * certificate of smtp_tls_cert_file/smtp_tls_key_file, and one SSLContext per policy, kept
 * for the life of the service so that every delivery with that policy shares its session
 * cache and JSSE resumes sessions (smtp_tls_session_cache_timeout).
 *
 * <p>The handshake accepts any server certificate: as in Postfix, whether the server is
 * trusted and matched is decided after the handshake ({@link ServerCertCheck}), so that the
 * log says what the certificate was and the delivery fails with Postfix's reason.
 */
public final class ClientTlsContexts {
    /**
     * @param caFile            smtp_tls_CAfile ("" for none)
     * @param caPath            smtp_tls_CApath ("" for none)
     * @param certFile          smtp_tls_cert_file ("" for no client certificate)
     * @param keyFile           smtp_tls_key_file
     * @param sessionCache      whether sessions are resumed (smtp_tls_session_cache_database not empty)
     * @param sessionTimeout    smtp_tls_session_cache_timeout in seconds
     * @param verifyDepth       smtp_tls_scert_verifydepth
     */
    public record Settings(String caFile, String caPath, String certFile, String keyFile, boolean sessionCache,
                           long sessionTimeout, int verifyDepth) {
    }

    private final Settings settings;
    private final CertVerifier verifier;
    private final KeyManager[] keyManagers;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, SSLContext> contexts = new HashMap<>();

    /**
     * Loads the CA certificates and the client certificate.
     *
     * @throws TlsConfigException naming the file that cannot be used
     */
    public ClientTlsContexts(Settings settings) {
        this.settings = settings;
        List<X509Certificate> cas = new ArrayList<>();
        if (!settings.caFile().isEmpty()) {
            cas.addAll(PemFiles.certificates(Path.of(settings.caFile())));
            if (cas.isEmpty()) throw new TlsConfigException("no certificate in CA file " + settings.caFile());
        }
        if (!settings.caPath().isEmpty()) cas.addAll(PemFiles.directory(Path.of(settings.caPath())));
        this.verifier = new CertVerifier(cas, settings.verifyDepth());
        this.keyManagers = settings.certFile().isEmpty() ? null
                : new KeyManager[] {new ChainKeyManager(List.of(PemFiles.certAndKey(Path.of(settings.certFile()),
                        Path.of(settings.keyFile().isEmpty() ? settings.certFile() : settings.keyFile()))))};
    }

    /** Checks chains against the CAs of CAfile and CApath. */
    public CertVerifier verifier() {
        return verifier;
    }

    public boolean sessionCache() {
        return settings.sessionCache();
    }

    /** The SSLContext for a policy (the key names what distinguishes policies), created once. */
    public SSLContext context(String policyKey) {
        lock.lock();
        try {
            SSLContext c = contexts.get(policyKey);
            if (c == null) {
                c = SSLContext.getInstance("TLS");
                c.init(keyManagers, new TrustManager[] {TlsContexts.acceptingAll(List.of())}, null);
                c.getClientSessionContext().setSessionTimeout((int) Math.min(Integer.MAX_VALUE, settings.sessionTimeout()));
                contexts.put(policyKey, c);
            }
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
