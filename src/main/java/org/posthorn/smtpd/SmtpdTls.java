package org.posthorn.smtpd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.tls.CertVerifier;
import org.posthorn.tls.ClientHello;
import org.posthorn.tls.Fingerprints;
import org.posthorn.tls.KeyChain;
import org.posthorn.tls.PemFiles;
import org.posthorn.tls.TlsCiphers;
import org.posthorn.tls.TlsConfigException;
import org.posthorn.tls.TlsContexts;
import org.posthorn.tls.TlsLog;
import org.posthorn.tls.TlsProtocols;
import org.posthorn.tls.TlsSummary;

/**
 * The TLS side of one smtpd service instance: its {@code smtpd_tls_*} settings and the one
 * SSLContext (and so the one session cache) that all its sessions share.
 */
final class SmtpdTls {
    /** smtpd_tls_security_level, after the legacy smtpd_use_tls / smtpd_enforce_tls. */
    enum Level { NONE, MAY, ENCRYPT }

    final Level level;
    final boolean wrapperMode;
    final boolean askCcert;
    final boolean reqCcert;
    final boolean authOnly;
    final boolean receivedHeader;
    final int logLevel;
    final String fingerprintDigest;
    final long handshakeTimeoutSeconds;
    /** Null when TLS is off or could not be set up (then STARTTLS gets 454). */
    private final SSLContext context;
    private final CertVerifier verifier;
    private final String[] protocols;
    private final String[] ciphers;
    private final boolean preferServerCiphers;

    private SmtpdTls(Level level, boolean wrapperMode, boolean askCcert, boolean reqCcert, boolean authOnly,
                     boolean receivedHeader, int logLevel, String fingerprintDigest, long handshakeTimeoutSeconds,
                     SSLContext context, CertVerifier verifier, String[] protocols, String[] ciphers,
                     boolean preferServerCiphers) {
        this.level = level;
        this.wrapperMode = wrapperMode;
        this.askCcert = askCcert;
        this.reqCcert = reqCcert;
        this.authOnly = authOnly;
        this.receivedHeader = receivedHeader;
        this.logLevel = logLevel;
        this.fingerprintDigest = fingerprintDigest;
        this.handshakeTimeoutSeconds = handshakeTimeoutSeconds;
        this.context = context;
        this.verifier = verifier;
        this.protocols = protocols;
        this.ciphers = ciphers;
        this.preferServerCiphers = preferServerCiphers;
    }

    /** TLS switched off (level none, no wrapper mode). */
    static final SmtpdTls OFF = new SmtpdTls(Level.NONE, false, false, false, false, false, 0, "sha256", 300,
            null, new CertVerifier(List.of(), 0), new String[0], new String[0], false);

    /**
     * Reads the settings and builds the context. A key or certificate that cannot be loaded is
     * logged as Postfix does ("disabling TLS support") and leaves TLS unavailable, not the service down.
     */
    static SmtpdTls from(Config config, Log log) {
        try {
            return read(config, log);
        } catch (RuntimeException e) {
            // a bad yes/no, number or time value among the smtpd_tls_* parameters
            log.warning("%s", e.getMessage() + ": disabling TLS support");
            return OFF;
        }
    }

    private static SmtpdTls read(Config config, Log log) {
        boolean wrapper = config.getBool("smtpd_tls_wrappermode");
        Level level = level(config);
        if (level == Level.NONE && !wrapper) return OFF;
        // a mandatory level (and wrapper mode, where TLS is the only way in) uses the mandatory lists
        boolean mandatory = level == Level.ENCRYPT;
        boolean askCcert = config.getBool("smtpd_tls_ask_ccert");
        boolean reqCcert = config.getBool("smtpd_tls_req_ccert") && mandatory;
        int logLevel = config.getInt("smtpd_tls_loglevel");
        String digest = config.get("smtpd_tls_fingerprint_digest").strip();
        long timeout = config.getTime("smtpd_starttls_timeout");
        SSLContext context = null;
        CertVerifier verifier = new CertVerifier(List.of(), 0);
        String[] protocols = new String[0];
        String[] ciphers = new String[0];
        try {
            List<String> protocolList = TlsProtocols.enabled(
                    mandatory ? "smtpd_tls_mandatory_protocols" : "smtpd_tls_protocols",
                    config.get(mandatory ? "smtpd_tls_mandatory_protocols" : "smtpd_tls_protocols"));
            protocols = protocolList.toArray(String[]::new);
            String exclude = config.get("smtpd_tls_exclude_ciphers")
                    + (mandatory ? " " + config.get("smtpd_tls_mandatory_exclude_ciphers") : "");
            String gradeParameter = mandatory ? "smtpd_tls_mandatory_ciphers" : "smtpd_tls_ciphers";
            ciphers = TlsCiphers.select(gradeParameter, config.get(gradeParameter), exclude, TlsCiphers.jsseSuites())
                    .toArray(String[]::new);
            List<KeyChain> chains = keyChains(config);
            if (chains.isEmpty()) {
                log.warning("%s", "No server certs available. TLS won't be enabled");
            } else {
                List<X509Certificate> cas = new ArrayList<>();
                String caFile = config.get("smtpd_tls_CAfile").strip();
                String caPath = config.get("smtpd_tls_CApath").strip();
                if (!caFile.isEmpty()) cas.addAll(PemFiles.certificates(Path.of(caFile)));
                if (!caPath.isEmpty()) cas.addAll(PemFiles.directory(Path.of(caPath)));
                verifier = new CertVerifier(cas, config.getInt("smtpd_tls_ccert_verifydepth"));
                context = TlsContexts.server(chains, cas, config.getTime("smtpd_tls_session_cache_timeout"));
            }
        } catch (TlsConfigException | IllegalArgumentException e) {
            log.warning("%s", e.getMessage() + ": disabling TLS support");
            context = null;
        }
        return new SmtpdTls(level, wrapper, askCcert, reqCcert, config.getBool("smtpd_tls_auth_only"),
                config.getBool("smtpd_tls_received_header"), logLevel, digest, timeout, context, verifier,
                protocols, ciphers, config.getBool("tls_preempt_cipherlist"));
    }

    /** smtpd_tls_chain_files when set, else the RSA (cert/key), DSA (dcert/dkey) and ECDSA (eccert/eckey) pairs. */
    private static List<KeyChain> keyChains(Config config) {
        List<String> chainFiles = Config.splitList(config.get("smtpd_tls_chain_files"));
        if (!chainFiles.isEmpty()) return PemFiles.chainFiles(chainFiles.stream().map(Path::of).toList());
        List<KeyChain> out = new ArrayList<>();
        for (String prefix : List.of("smtpd_tls_", "smtpd_tls_d", "smtpd_tls_ec")) {
            String cert = config.get(prefix + "cert_file").strip();
            if (cert.isEmpty()) continue;
            String key = config.get(prefix + "key_file").strip();
            out.add(PemFiles.certAndKey(Path.of(cert), Path.of(key.isEmpty() ? cert : key)));
        }
        return out;
    }

    static Level level(Config config) {
        String v = config.get("smtpd_tls_security_level").strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "may" -> Level.MAY;
            case "encrypt" -> Level.ENCRYPT;
            case "none" -> Level.NONE;
            case "" -> config.getBool("smtpd_enforce_tls") ? Level.ENCRYPT
                    : config.getBool("smtpd_use_tls") ? Level.MAY : Level.NONE;
            // Postfix: an unknown level is a configuration error; TLS stays off
            default -> Level.NONE;
        };
    }

    /** Whether STARTTLS can be offered and performed (level may or encrypt, certificates loaded). */
    boolean available() {
        return context != null;
    }

    /** Whether a client must use TLS before MAIL (level encrypt). */
    boolean required() {
        return level == Level.ENCRYPT;
    }

    /** The outcome of a handshake: the TLS socket and what the logs and restrictions need to know. */
    record Established(SSLSocket socket, TlsSummary summary, TlsLog.Trust trust, X509Certificate peer,
                       String certFingerprint, String keyFingerprint, String verifyFailure) {
        boolean trusted() {
            return trust == TlsLog.Trust.TRUSTED;
        }
    }

    /**
     * Runs the server side of a handshake on the raw socket (its input must hold nothing
     * the session has buffered: plaintext after STARTTLS is discarded before this, CVE-2011-0411).
     */
    Established handshake(Socket raw) throws IOException {
        int oldTimeout = raw.getSoTimeout();
        raw.setSoTimeout((int) Math.min(Integer.MAX_VALUE, handshakeTimeoutSeconds * 1000));
        ClientHello hello = ClientHello.read(raw.getInputStream());
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(raw, new ByteArrayInputStream(hello.raw()), true);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(protocols);
        p.setCipherSuites(ciphers);
        p.setNamedGroups(TlsSummary.SERVER_GROUP_NAMES.toArray(String[]::new));
        p.setUseCipherSuitesOrder(preferServerCiphers);
        if (askCcert || reqCcert) p.setWantClientAuth(true);
        s.setSSLParameters(p);
        s.setUseClientMode(false);
        long started = System.currentTimeMillis();
        s.startHandshake();
        s.setSoTimeout(oldTimeout);
        SSLSession session = s.getSession();
        TlsSummary summary = TlsSummary.server(session, hello, TlsSummary.SERVER_GROUPS,
                // a session from the cache was made before this handshake began
                session.getCreationTime() < started);
        X509Certificate peer = TlsSummary.peerLeaf(session);
        TlsLog.Trust trust = TlsLog.Trust.ANONYMOUS;
        String certFp = null;
        String keyFp = null;
        String failure = null;
        if (peer != null) {
            X509Certificate[] chain = (X509Certificate[]) session.getPeerCertificates();
            failure = verifier.failure(chain);
            trust = failure == null ? TlsLog.Trust.TRUSTED : TlsLog.Trust.UNTRUSTED;
            certFp = Fingerprints.certificate(peer, fingerprintDigest);
            keyFp = Fingerprints.publicKey(peer, fingerprintDigest);
        }
        return new Established(s, summary, trust, peer, certFp, keyFp, failure);
    }

    /** The Received: header's TLS lines, or none without smtpd_tls_received_header. */
    List<String> receivedLines(Established tls) {
        if (!receivedHeader || tls == null) return List.of();
        List<String> out = new ArrayList<>();
        List<String> details = tls.summary().details();
        String head = "\t(using " + tls.summary().head();
        if (details.isEmpty()) {
            out.add(head + ")");
        } else {
            out.add(head);
            for (int i = 0; i < details.size(); i++) {
                out.add("\t " + details.get(i) + (i == details.size() - 1 ? ")" : ""));
            }
        }
        if (!askCcert && !reqCcert) {
            out.add("\t(No client certificate requested)");
        } else if (tls.peer() == null) {
            out.add("\t(Client did not present a certificate)");
        } else {
            out.add("\t(Client CN \"" + commonName(tls.peer().getSubjectX500Principal().getName()) + "\", Issuer \""
                    + commonName(tls.peer().getIssuerX500Principal().getName()) + "\" ("
                    + (tls.trusted() ? "verified OK" : "not verified") + "))");
        }
        return out;
    }

    /** The CN of an RFC 2253 name (the whole name when it has none). */
    static String commonName(String dn) {
        try {
            for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(dn).getRdns().reversed()) {
                if (rdn.getType().equalsIgnoreCase("CN")) return rdn.getValue().toString();
            }
        } catch (javax.naming.InvalidNameException e) {
            return dn;
        }
        return dn;
    }
}
