package org.posthorn.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * One TLSA record (RFC 6698): certificate usage, selector, matching type and association
 * data. Postfix also expresses smtp_tls_fingerprint_cert_match entries this way, as
 * "3 0 255" and "3 1 255" records whose matching type 255 means "the configured digest".
 *
 * @param usage    0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE
 * @param selector 0 the whole certificate, 1 its SubjectPublicKeyInfo
 * @param matching 0 exact, 1 SHA-256, 2 SHA-512, {@link #CONFIGURED_DIGEST} the fingerprint digest
 * @param data     the association data
 * @param digest   the JCA digest name for matching type 255 (null otherwise)
 */
public record Tlsa(int usage, int selector, int matching, byte[] data, String digest) {
    public static final int DANE_TA = 2;
    public static final int DANE_EE = 3;
    public static final int CONFIGURED_DIGEST = 255;

    public Tlsa {
        data = data.clone();
    }

    public Tlsa(int usage, int selector, int matching, byte[] data) {
        this(usage, selector, matching, data, null);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /**
     * Whether SMTP can use the record (RFC 7672 section 3.1.3): DANE-TA or DANE-EE, a known
     * selector and matching type, and data of the digest's length.
     */
    public boolean usable() {
        if (usage != DANE_TA && usage != DANE_EE) return false;
        if (selector != 0 && selector != 1) return false;
        return switch (matching) {
            case 0 -> data.length > 0;
            case 1 -> data.length == 32;
            case 2 -> data.length == 64;
            case CONFIGURED_DIGEST -> digest != null && data.length == digestLength(digest);
            default -> false;
        };
    }

    /** Whether the certificate (or its public key, selector 1) has this record's association data. */
    public boolean matches(X509Certificate cert) {
        byte[] selected;
        try {
            selected = selector == 0 ? cert.getEncoded() : cert.getPublicKey().getEncoded();
        } catch (CertificateEncodingException e) {
            return false;
        }
        byte[] value = switch (matching) {
            case 0 -> selected;
            case 1 -> hash("SHA-256", selected);
            case 2 -> hash("SHA-512", selected);
            case CONFIGURED_DIGEST -> hash(digest, selected);
            default -> null;
        };
        return value != null && MessageDigest.isEqual(value, data);
    }

    /** "3 1 1 ab12..." as Postfix writes a record in its warnings. */
    @Override
    public String toString() {
        return usage + " " + selector + " " + matching + " " + HexFormat.of().formatHex(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tlsa t && t.usage == usage && t.selector == selector && t.matching == matching
                && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data) * 31 + usage * 7 + selector * 3 + matching;
    }

    /** The JCA name of a Postfix digest name (md5, sha1, sha256, sha512), or null if unknown. */
    public static String digestAlgorithm(String postfixName) {
        String jca = Fingerprints.javaName(postfixName);
        return digestLength(jca) > 0 ? jca : null;
    }

    static int digestLength(String jcaName) {
        try {
            return MessageDigest.getInstance(jcaName).getDigestLength();
        } catch (NoSuchAlgorithmException e) {
            return -1;
        }
    }

    static byte[] hash(String algorithm, byte[] in) {
        try {
            return MessageDigest.getInstance(algorithm).digest(in);
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
    }

    /**
     * A fingerprint from smtp_tls_fingerprint_cert_match or match=: hex digits with optional
     * ':' between bytes ("B4:7E:..."), case-insensitive. Null when it is not hex.
     */
    public static byte[] parseFingerprint(String text) {
        String hex = text.replace(":", "");
        if (hex.isEmpty() || hex.length() % 2 != 0 || !hex.matches("[0-9A-Fa-f]+")) return null;
        return HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
    }
}
