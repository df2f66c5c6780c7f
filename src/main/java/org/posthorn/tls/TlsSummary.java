package org.posthorn.tls;

import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What Postfix says about a finished handshake: {@code TLSv1.3 with cipher TLS_AES_256_GCM_SHA384
 * (256/256 bits)}, and for TLS 1.3 the key exchange and signatures, {@code key-exchange X25519
 * server-signature RSA-PSS (2048 bits) server-digest SHA256}, as Postfix 3.7 built with OpenSSL 3
 * logs them. JSSE does not tell the group and signature schemes it chose; they are worked out
 * the way JSSE chooses them: the peer's order of preference, first one usable.
 *
 * @param details the key-exchange and server-signature words, then the client-signature words,
 *                as the Received: header breaks them over lines (empty before TLS 1.3)
 */
public record TlsSummary(String protocol, String cipher, int bits, int algBits, List<String> details) {
    public TlsSummary {
        details = List.copyOf(details);
    }

    /** The log line's part after the colon: {@code TLSv1.3 with cipher ... (256/256 bits) key-exchange ...}. */
    public String text() {
        return details.isEmpty() ? head() : head() + " " + String.join(" ", details);
    }

    /** {@code TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)}. */
    public String head() {
        return protocol + " with cipher " + cipher + " (" + bits + "/" + algBits + " bits)";
    }

    /**
     * A server's summary. {@code hello} is the client's hello as read before the handshake (null
     * if unknown), {@code serverGroups} the server's named groups in TLS code points. A resumed
     * session signs nothing, so, as in Postfix's line, the signatures have no digest.
     */
    public static TlsSummary server(SSLSession session, ClientHello hello, List<Integer> serverGroups, boolean resumed) {
        CipherSuite suite = CipherSuite.parse(session.getCipherSuite());
        String protocol = session.getProtocol();
        String cipher = suite == null ? session.getCipherSuite() : suite.opensslName();
        int bits = suite == null ? 0 : suite.bits();
        int algBits = suite == null ? 0 : suite.algBits();
        List<String> details = new ArrayList<>();
        if (protocol.equals("TLSv1.3")) {
            List<String> words = new ArrayList<>();
            int group = hello == null ? -1 : hello.chosenGroup(serverGroups);
            String kex = groupText(group);
            if (kex != null) words.add("key-exchange " + kex);
            X509Certificate local = first(session.getLocalCertificates());
            if (local != null) signature(words, "server", local.getPublicKey(),
                    hello == null || resumed ? List.of() : hello.signatureSchemes());
            if (!words.isEmpty()) details.add(String.join(" ", words));
            words.clear();
            X509Certificate peer = peerLeaf(session);
            if (peer != null) signature(words, "client", peer.getPublicKey(), resumed ? List.of() : JSSE_SCHEMES);
            if (!words.isEmpty()) details.add(String.join(" ", words));
        }
        return new TlsSummary(protocol, cipher, bits, algBits, details);
    }

    /** The peer's leaf certificate, or null when it sent none. */
    public static X509Certificate peerLeaf(SSLSession session) {
        try {
            return first(session.getPeerCertificates());
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private static X509Certificate first(Certificate[] certs) {
        return certs != null && certs.length > 0 && certs[0] instanceof X509Certificate x ? x : null;
    }

    /**
     * JSSE's own signature schemes in its order of preference (TLS 1.3 ones), which it sends
     * in a certificate request and a client answers from.
     */
    static final List<Integer> JSSE_SCHEMES = List.of(0x0403, 0x0503, 0x0603, 0x0807, 0x0808,
            0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b);

    /** {@code server-signature RSA-PSS (2048 bits) server-digest SHA256}, or ECDSA with its curve name. */
    private static void signature(List<String> words, String side, PublicKey key, List<Integer> schemes) {
        int scheme = -1;
        for (int s : schemes) {
            if (fits(s, key)) {
                scheme = s;
                break;
            }
        }
        String name;
        String size;
        switch (key) {
            case RSAPublicKey rsa -> {
                name = "RSA-PSS";
                size = "(" + rsa.getModulus().bitLength() + " bits)";
            }
            case ECPublicKey ec -> {
                name = "ECDSA";
                size = "(" + curveName(ec.getParams().getCurve().getField().getFieldSize()) + ")";
            }
            default -> {
                name = key.getAlgorithm().toUpperCase(Locale.ROOT);
                size = null;
            }
        }
        words.add(side + "-signature " + name + (size == null ? "" : " " + size));
        String digest = switch (scheme) {
            case 0x0804, 0x0809, 0x0403 -> "SHA256";
            case 0x0805, 0x080a, 0x0503 -> "SHA384";
            case 0x0806, 0x080b, 0x0603 -> "SHA512";
            default -> null;
        };
        if (digest != null) words.add(side + "-digest " + digest);
    }

    /** Whether a TLS 1.3 signature scheme (code point) can be made with the key. */
    private static boolean fits(int scheme, PublicKey key) {
        return switch (key) {
            case RSAPublicKey r -> scheme >= 0x0804 && scheme <= 0x0806;
            case ECPublicKey ec -> switch (ec.getParams().getCurve().getField().getFieldSize()) {
                case 256 -> scheme == 0x0403;
                case 384 -> scheme == 0x0503;
                case 521 -> scheme == 0x0603;
                default -> false;
            };
            default -> key.getAlgorithm().equals("Ed25519") ? scheme == 0x0807
                    : key.getAlgorithm().equals("Ed448") && scheme == 0x0808;
        };
    }

    /** OpenSSL's short names of the NIST curves by field size. */
    private static String curveName(int fieldBits) {
        return switch (fieldBits) {
            case 256 -> "prime256v1";
            case 384 -> "secp384r1";
            case 521 -> "secp521r1";
            default -> "unknown";
        };
    }

    /** The key exchange as Postfix names it: X25519, X448, ECDHE (secp384r1), DHE (2048 bits). */
    static String groupText(int group) {
        return switch (group) {
            case 0x001d -> "X25519";
            case 0x001e -> "X448";
            case 0x0017 -> "ECDHE (prime256v1)";
            case 0x0018 -> "ECDHE (secp384r1)";
            case 0x0019 -> "ECDHE (secp521r1)";
            case 0x0100 -> "DHE (2048 bits)";
            case 0x0101 -> "DHE (3072 bits)";
            case 0x0102 -> "DHE (4096 bits)";
            case 0x0103 -> "DHE (6144 bits)";
            case 0x0104 -> "DHE (8192 bits)";
            default -> null;
        };
    }

    /** The named groups a server offers (Postfix's tls_eecdh_auto_curves default order), JSSE names. */
    public static final List<String> SERVER_GROUP_NAMES = List.of("x25519", "x448", "secp256r1", "secp521r1", "secp384r1",
            "ffdhe2048", "ffdhe3072", "ffdhe4096");
    /** The same as TLS code points. */
    public static final List<Integer> SERVER_GROUPS = List.of(0x001d, 0x001e, 0x0017, 0x0019, 0x0018,
            0x0100, 0x0101, 0x0102);
}
