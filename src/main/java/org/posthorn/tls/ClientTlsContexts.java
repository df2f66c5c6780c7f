package org.posthorn.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

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
     */
    public record Settings(String caFile, String caPath, String certFile, String keyFile, boolean sessionCache,
                           long sessionTimeout) {
    }

    private final Settings settings;
    private final Set<TrustAnchor> anchors;
    private final KeyManager[] keyManagers;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, SSLContext> contexts = new HashMap<>();

    /** Loads the CA certificates and the client certificate; a bad file is an IOException naming it. */
    public ClientTlsContexts(Settings settings) throws IOException {
        this.settings = settings;
        Set<TrustAnchor> a = new HashSet<>();
        if (!settings.caFile().isEmpty()) {
            for (X509Certificate c : readCertificates(Path.of(settings.caFile()))) a.add(new TrustAnchor(c, null));
        }
        if (!settings.caPath().isEmpty()) {
            try (Stream<Path> files = Files.list(Path.of(settings.caPath()))) {
                for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                    try {
                        for (X509Certificate c : readCertificates(p)) a.add(new TrustAnchor(c, null));
                    } catch (IOException e) {
                        // CApath holds other files too (c_rehash links, CRLs): skip what is no certificate
                    }
                }
            }
        }
        this.anchors = Set.copyOf(a);
        this.keyManagers = settings.certFile().isEmpty() ? null
                : keyManagers(Path.of(settings.certFile()),
                        Path.of(settings.keyFile().isEmpty() ? settings.certFile() : settings.keyFile()));
    }

    /** The trust anchors of CAfile and CApath. */
    public Set<TrustAnchor> anchors() {
        return anchors;
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
                c.init(keyManagers, new TrustManager[] {new AcceptAll()}, null);
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

    /** Every certificate in a PEM file. */
    static List<X509Certificate> readCertificates(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) throw new IOException(file + ": no certificate found");
            return out;
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": cannot read certificates: " + e.getMessage(), e);
        }
    }

    private static KeyManager[] keyManagers(Path certFile, Path keyFile) throws IOException {
        List<X509Certificate> chain = readCertificates(certFile);
        PrivateKey key = readPkcs8Key(keyFile);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", key, new char[0], chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new IOException(certFile + ": cannot use the certificate and key: " + e.getMessage(), e);
        }
    }

    /** A "BEGIN PRIVATE KEY" (PKCS#8) RSA or EC key. */
    private static PrivateKey readPkcs8Key(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) throw new IOException(file + ": no unencrypted PKCS#8 private key found");
        String b64 = text.substring(begin + 27, end).replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(b64);
        for (String alg : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(file + ": unsupported private key type");
    }

    /** Accepts every server chain during the handshake; the checks come afterwards. */
    private static final class AcceptAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
