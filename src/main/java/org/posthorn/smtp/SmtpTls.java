package org.posthorn.smtp;

import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.posthorn.dns.DnsException;
import org.posthorn.dns.DnsResolver;
import org.posthorn.log.Log;
import org.posthorn.table.Maps;
import org.posthorn.table.TableException;
import org.posthorn.tls.CipherSuite;
import org.posthorn.tls.ClientTlsContexts;
import org.posthorn.tls.Dane;
import org.posthorn.tls.ServerCertCheck;
import org.posthorn.tls.TlsCiphers;
import org.posthorn.tls.TlsLog;
import org.posthorn.tls.TlsPolicy;
import org.posthorn.tls.TlsPolicy.Level;
import org.posthorn.tls.TlsPolicyMaps;
import org.posthorn.tls.TlsProtocols;
import org.posthorn.tls.TlsSummary;
import org.posthorn.tls.Tlsa;

/**
 * The TLS side of one smtp or lmtp service, as Postfix's smtp_tls_policy.c and smtp_proto.c
 * decide it: the security level of a server (smtp_tls_security_level or the legacy
 * smtp_use_tls/smtp_enforce_tls, overridden per destination by smtp_tls_policy_maps, and
 * for dane/dane-only by what the DNSSEC-validated TLSA records say), and what a session
 * does with it after EHLO: STARTTLS, the handshake, the certificate checks, the log line.
 */
final class SmtpTls {
    /** The policy for one server, DANE resolved: what the session uses. */
    record Effective(Level level, TlsPolicy declared, List<String> names, List<Tlsa> records, List<String> protocols,
                     List<String> suites, String serverName, boolean insecureMx) {
        /** Whether STARTTLS is tried at all. */
        boolean enabled() {
            return level != Level.NONE;
        }
    }

    /** A policy that cannot be used: the delivery defers with this status text. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;
        final String dsn;

        Unusable(String dsn, String text) {
            super(text);
            this.dsn = dsn;
        }
    }

    /** Protocols and cipher suites of one combination of settings, computed once. */
    private record Suites(List<String> protocols, List<String> suites) {
    }

    /** Bounded: the combinations come from main.cf and the policy table, so few are ever seen. */
    private static final int SUITES_CACHED = 256;

    private final SmtpParams params;
    private final Log log;
    /** Choosing suites parses every JSSE suite name: a fifth of a delivery's CPU when done per connection. */
    private final Map<String, Suites> suites = new ConcurrentHashMap<>();
    private final DnsResolver resolver;
    private final boolean dnsLookups;
    private final TlsPolicy global;
    private final TlsPolicyMaps maps;
    private final ClientTlsContexts contexts;
    private final String contextProblem;
    private final int logLevel;

    SmtpTls(SmtpParams params, DnsResolver resolver, boolean dnsLookups, Log log) {
        this.params = params;
        this.log = log;
        this.resolver = resolver;
        this.dnsLookups = dnsLookups;
        this.global = TlsPolicy.of(globalLevel(params));
        this.logLevel = params.integer("tls_loglevel");
        String mapsText = params.get("tls_policy_maps");
        TlsPolicyMaps m = null;
        if (!mapsText.isEmpty()) {
            try {
                m = new TlsPolicyMaps(Maps.open(params.name("tls_policy_maps"), mapsText, params.config()),
                        w -> log.warning("%s", w));
            } catch (TableException e) {
                throw new IllegalArgumentException(params.name("tls_policy_maps") + ": " + e.getMessage(), e);
            }
        }
        this.maps = m;
        ClientTlsContexts c = null;
        String problem = null;
        if (global.level() != Level.NONE || maps != null) {
            try {
                c = new ClientTlsContexts(new ClientTlsContexts.Settings(params.get("tls_CAfile"), params.get("tls_CApath"),
                        params.get("tls_cert_file"), params.get("tls_key_file"),
                        !params.get("tls_session_cache_database").isEmpty(), params.millis("tls_session_cache_timeout") / 1000,
                        params.integer("tls_scert_verifydepth")));
            } catch (RuntimeException e) {
                problem = e.getMessage();
                log.warning("TLS disabled: %s", problem);
            }
        }
        this.contexts = c;
        this.contextProblem = problem;
    }

    /** smtp_tls_security_level, or what smtp_enforce_tls/smtp_use_tls mean when it is empty. */
    static Level globalLevel(SmtpParams params) {
        String text = params.get("tls_security_level");
        if (!text.isEmpty()) {
            Level l = Level.of(text);
            if (l == null) throw new IllegalArgumentException("invalid tls security level: \"" + text + "\"");
            return l;
        }
        if (params.bool("enforce_tls")) return params.bool("tls_enforce_peername") ? Level.VERIFY : Level.ENCRYPT;
        return params.bool("use_tls") ? Level.MAY : Level.NONE;
    }

    boolean wrapperMode() {
        return params.bool("tls_wrappermode");
    }

    /** Whether sessions with TLS on may go back into the connection cache (smtp_tls_connection_reuse). */
    boolean reuseTlsConnections() {
        return params.bool("tls_connection_reuse");
    }

    /**
     * The declared policy of a next-hop destination as written ("example.com",
     * "[host]:port"): its policy table entry, else the global level.
     */
    TlsPolicy declared(String destination) throws Unusable {
        if (maps == null) return global;
        try {
            TlsPolicy p = maps.lookup(destination);
            return p == null ? global : p;
        } catch (TlsPolicy.Invalid e) {
            throw new Unusable("4.7.5", "client TLS configuration problem");
        }
    }

    /** A text naming a policy, for connection cache keys: sessions are only reused under the same policy. */
    static String key(TlsPolicy p) {
        return p.level().text() + " " + String.join(":", p.match()) + " " + p.protocols() + " " + p.ciphers() + " "
                + p.exclude();
    }

    /** The cache key of a whole next-hop list (the keys of its elements). */
    String destinationKey(List<String> elements) {
        StringBuilder sb = new StringBuilder();
        for (String e : elements) {
            try {
                sb.append(key(declared(e))).append('|');
            } catch (Unusable u) {
                sb.append("invalid|");
            }
        }
        return sb.toString();
    }

    /**
     * The policy for one server: the declared level, with dane and dane-only resolved
     * through the server's TLSA records (RFC 7672: DANE applies only to a DNSSEC-validated
     * MX host), and the match names, fingerprints, protocols and cipher exclusions.
     */
    Effective effective(Target target, TlsPolicy declared) throws Unusable {
        Level level = declared.level();
        List<String> names = new ArrayList<>();
        List<Tlsa> records = new ArrayList<>();
        boolean inet = target.address() instanceof java.net.InetSocketAddress;
        if (level == Level.DANE || level == Level.DANE_ONLY) {
            if (!inet) {
                log.warning("%s: the \"dane\" security level is invalid for delivery via unix-domain sockets",
                        target.destination());
                throw new Unusable("4.7.5", "client TLS configuration problem");
            }
            level = dane(target, level, records, names);
        }
        // TLS over a UNIX-domain socket is not implemented: optional TLS is skipped there
        if (!inet && level == Level.MAY) level = Level.NONE;
        // no STARTTLS: nothing below is used, and choosing suites would start JSSE for nothing
        if (level == Level.NONE) return new Effective(level, declared, List.of(), List.of(), List.of(), List.of(), null, false);
        if (level == Level.FINGERPRINT) {
            List<String> prints = declared.match().isEmpty()
                    ? splitOn(params.get("tls_fingerprint_cert_match"), "[\\t\\n\\r, ]+") : declared.match();
            String digest = Tlsa.digestAlgorithm(params.get("tls_fingerprint_digest"));
            for (String fp : prints) {
                byte[] data = Tlsa.parseFingerprint(fp);
                if (data == null || digest == null) data = new byte[0];
                records.add(new Tlsa(Tlsa.DANE_EE, 1, Tlsa.CONFIGURED_DIGEST, data, digest));
                records.add(new Tlsa(Tlsa.DANE_EE, 0, Tlsa.CONFIGURED_DIGEST, data, digest));
            }
            if (records.isEmpty()) {
                log.warning("nexthop domain %s: configured at fingerprint security level, but with no fingerprints to match.",
                        target.domain());
                throw new Unusable("4.7.5", "client TLS configuration problem");
            }
        }
        if (level == Level.VERIFY || level == Level.SECURE) {
            List<String> strategies = declared.match().isEmpty()
                    ? splitOn(params.get(level == Level.VERIFY ? "tls_verify_cert_match" : "tls_secure_cert_match"),
                            "[\\t\\n\\r, :]+")
                    : declared.match();
            for (String s : strategies) {
                switch (s.toLowerCase(Locale.ROOT)) {
                    case "hostname" -> names.add(target.hostname());
                    case "nexthop" -> names.add(target.domain());
                    case "dot-nexthop" -> names.add("." + target.domain());
                    default -> names.add(s);
                }
            }
        }
        String protocolParameter = declared.protocols() != null ? params.name("tls_policy_maps")
                : params.name(level == Level.MAY ? "tls_protocols" : "tls_mandatory_protocols");
        String protocolSpec = declared.protocols() != null ? declared.protocols()
                : params.get(level == Level.MAY ? "tls_protocols" : "tls_mandatory_protocols");
        String grade = declared.ciphers() != null ? declared.ciphers()
                : params.get(level == Level.MAY ? "tls_ciphers" : "tls_mandatory_ciphers");
        List<String> exclusions = new ArrayList<>();
        if (declared.exclude() != null) {
            exclusions.addAll(splitOn(declared.exclude(), "[\\t\\n\\r,: ]+"));
        } else {
            exclusions.addAll(splitOn(params.get("tls_exclude_ciphers"), "[\\t\\n\\r,: ]+"));
            if (level.mandatory()) exclusions.addAll(splitOn(params.get("tls_mandatory_exclude_ciphers"), "[\\t\\n\\r,: ]+"));
        }
        if (level != Level.MAY) exclusions.add(level == Level.ENCRYPT ? "eNULL" : "aNULL");
        String sni = serverName(target, level);
        try {
            String cipherParameter = params.name(level == Level.MAY ? "tls_ciphers" : "tls_mandatory_ciphers");
            String excluded = String.join(" ", exclusions);
            String key = protocolParameter + '\0' + protocolSpec + '\0' + cipherParameter + '\0' + grade + '\0' + excluded;
            Suites chosen = suites.get(key);
            if (chosen == null) {
                chosen = new Suites(List.copyOf(TlsProtocols.enabled(protocolParameter, protocolSpec)),
                        List.copyOf(TlsCiphers.select(cipherParameter, grade, excluded, TlsCiphers.jsseSuites())));
                if (suites.size() < SUITES_CACHED) suites.put(key, chosen);
            }
            return new Effective(level, declared, List.copyOf(names), List.copyOf(records), chosen.protocols(),
                    chosen.suites(), sni, (level == Level.DANE) && !target.dnssec());
        } catch (IllegalArgumentException e) {
            log.warning("%s", e.getMessage());
            throw new Unusable("4.7.5", "client TLS configuration problem");
        }
    }

    /** dane/dane-only for a server: DANE with its TLSA records, or the level Postfix falls back to. */
    private Level dane(Target target, Level level, List<Tlsa> records, List<String> names) throws Unusable {
        if (!dnsLookups || !params.get("dns_support_level").equalsIgnoreCase("dnssec")) {
            log.warning("%s: %s configured with dnssec lookups disabled", target.destination(), level.text());
            if (level == Level.DANE_ONLY) throw new Unusable("4.7.5", "client TLS configuration problem");
            return Level.MAY;
        }
        if (params.lmtp() ? false : params.globalBool("ignore_mx_lookup_error")) {
            log.warning("%s: %s configured with MX lookup errors ignored", target.destination(), level.text());
            if (level == Level.DANE_ONLY) throw new Unusable("4.7.5", "client TLS configuration problem");
            return Level.MAY;
        }
        // an insecure MX: smtp_tls_dane_insecure_mx_policy says whether the MX host's TLSA records still count
        String insecurePolicy = target.dnssec() ? "dane" : params.get("tls_dane_insecure_mx_policy").toLowerCase(Locale.ROOT);
        if (!insecurePolicy.equals("dane") && !insecurePolicy.equals("encrypt")) {
            return incompatible(level, Level.MAY, "non DNSSEC destination");
        }
        int port = ((java.net.InetSocketAddress) target.address()).getPort();
        Dane.Lookup found;
        try {
            found = Dane.lookup(resolver, target.hostname(), port);
        } catch (DnsException e) {
            throw new Unusable("4.7.5", "TLSA lookup error for " + target.hostname() + ":" + port);
        }
        return switch (found.found()) {
            case NONE -> incompatible(level, Level.MAY, "no TLSA records found");
            case UNUSABLE -> incompatible(level, Level.ENCRYPT, "TLSA records unusable");
            case USABLE -> {
                if (insecurePolicy.equals("encrypt")) yield Level.ENCRYPT;
                records.addAll(found.records());
                names.add(target.hostname());
                yield Level.DANE;
            }
        };
    }

    /** DANE does not apply: dane falls back, dane-only defers with the reason. */
    private static Level incompatible(Level level, Level fallback, String why) throws Unusable {
        if (level == Level.DANE_ONLY) throw new Unusable("4.7.5", why);
        return fallback;
    }

    /** smtp_tls_servername: none, the server's hostname, the next-hop domain or a literal; DANE sends the hostname. */
    private String serverName(Target target, Level level) {
        String s = params.get("tls_servername");
        String name = switch (s.toLowerCase(Locale.ROOT)) {
            case "" -> level == Level.DANE ? target.hostname() : null;
            case "hostname" -> target.hostname();
            case "nexthop" -> target.domain();
            default -> s;
        };
        if (name == null || org.posthorn.dns.HostLookup.literal(name) != null) return null;
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static List<String> splitOn(String text, String separators) {
        List<String> out = new ArrayList<>();
        for (String s : text.split(separators)) if (!s.isEmpty()) out.add(s);
        return out;
    }

    /** Why TLS cannot start at all (no usable context), or null. */
    String engineProblem() {
        return contexts == null ? (contextProblem == null ? "TLS is not configured" : contextProblem) : null;
    }

    /**
     * Runs the handshake on a connection and checks the server certificate.
     *
     * @throws IOException the handshake failed (a Timeout when the deadline passed)
     */
    ServerCertCheck handshake(SmtpConnection conn, Target target, Effective e) throws IOException {
        SSLContext context = contexts.context(key(e.declared()) + " " + e.level().text());
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(e.protocols().toArray(new String[0]));
        p.setCipherSuites(e.suites().toArray(new String[0]));
        if (e.serverName() != null) {
            try {
                p.setServerNames(List.of(new SNIHostName(e.serverName())));
            } catch (IllegalArgumentException ignored) {
                // not a name SNI can carry
            }
        }
        java.net.InetSocketAddress inet = (java.net.InetSocketAddress) target.address();
        conn.deadline(params.millis("starttls_timeout"));
        // the session cache is per context, keyed by the server's address and port
        long started = System.currentTimeMillis();
        if (contexts.sessionCache()) conn.startTls(context, p, target.addressText(), inet.getPort());
        else conn.startTls(context, p, null, -1);
        SSLSession session = conn.tlsSession();
        X509Certificate[] chain = peerChain(session);
        ServerCertCheck check = ServerCertCheck.check(e.level(), chain, contexts.verifier(), e.names(), e.records());
        // with an insecure MX the host name may be forged: a DANE match is only "Trusted"
        if (e.insecureMx() && check.matched()) check = new ServerCertCheck(true, true, null, TlsLog.Trust.TRUSTED);
        String namaddrport = target.relay();
        if (e.level() == Level.FINGERPRINT) {
            boolean any = false;
            for (Tlsa t : e.records()) {
                if (t.usable()) any = true;
                else log.warning("%s: unusable TLSA RR: %s", namaddrport, t);
            }
            if (!any) log.warning("%s: all fingerprints unusable", namaddrport);
        }
        if (logLevel >= 1 && check.failure() != null && e.level().mustMatch()) {
            // OpenSSL's chain errors say "certificate ...", the checks after the chain "server certificate ..."
            log.info("%scertificate verification failed for %s: %s", check.failure().startsWith("num=") ? "server " : "",
                    namaddrport, check.failure());
        }
        if (logLevel >= 1) {
            log.info("%s", TlsLog.establishedTo(check.trust(), namaddrport, summary(session, chain, session.getCreationTime() < started)));
        }
        return check;
    }

    private static X509Certificate[] peerChain(SSLSession session) {
        try {
            Certificate[] certs = session.getPeerCertificates();
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : certs) if (c instanceof X509Certificate x) out.add(x);
            return out.toArray(new X509Certificate[0]);
        } catch (SSLPeerUnverifiedException e) {
            return new X509Certificate[0];
        }
    }

    /**
     * What Postfix says about the handshake: "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256
     * bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256". JSSE
     * does not say which group the server chose: for (EC)DHE it offers a key share for X25519
     * first, which OpenSSL servers take, so X25519 is written. A resumed session signs nothing:
     * no digest, as in Postfix's line.
     */
    static TlsSummary summary(SSLSession session, X509Certificate[] chain, boolean resumed) {
        CipherSuite suite = CipherSuite.parse(session.getCipherSuite());
        String cipher = suite == null ? session.getCipherSuite() : suite.opensslName();
        List<String> words = new ArrayList<>();
        if (session.getProtocol().equals("TLSv1.3")) {
            words.add("key-exchange X25519");
            if (chain.length > 0) {
                switch (chain[0].getPublicKey()) {
                    case RSAKey rsa -> {
                        words.add("server-signature RSA-PSS (" + rsa.getModulus().bitLength() + " bits)");
                        if (!resumed) words.add("server-digest SHA256");
                    }
                    case ECKey ec -> {
                        int size = ec.getParams().getCurve().getField().getFieldSize();
                        String curve = size == 256 ? "prime256v1" : size == 384 ? "secp384r1" : "secp521r1";
                        words.add("server-signature ECDSA (" + curve + ")");
                        if (!resumed) words.add("server-digest " + (size == 256 ? "SHA256" : size == 384 ? "SHA384" : "SHA512"));
                    }
                    default -> words.add("server-signature " + chain[0].getPublicKey().getAlgorithm().toUpperCase(Locale.ROOT));
                }
            }
        }
        return new TlsSummary(session.getProtocol(), cipher, suite == null ? 0 : suite.bits(),
                suite == null ? 0 : suite.algBits(), words.isEmpty() ? List.of() : List.of(String.join(" ", words)));
    }
}
