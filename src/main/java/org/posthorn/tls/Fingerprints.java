package org.posthorn.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Certificate and public-key fingerprints as Postfix prints and looks them up:
 * upper-case hex pairs joined by colons, with the {@code *_tls_fingerprint_digest} algorithm.
 */
public final class Fingerprints {
    private Fingerprints() {
    }

    /** The fingerprint of the whole DER certificate. */
    public static String certificate(X509Certificate cert, String digest) {
        try {
            return hex(digest, cert.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new TlsConfigException("cannot encode certificate: " + e.getMessage(), e);
        }
    }

    /** The fingerprint of the DER SubjectPublicKeyInfo (Postfix's public-key fingerprint). */
    public static String publicKey(X509Certificate cert, String digest) {
        return hex(digest, cert.getPublicKey().getEncoded());
    }

    private static String hex(String digest, byte[] data) {
        try {
            byte[] d = MessageDigest.getInstance(javaName(digest)).digest(data);
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new TlsConfigException("unsupported fingerprint digest \"" + digest + "\"", e);
        }
    }

    /** OpenSSL digest names (md5, sha1, sha256, ...) as JCA names them. */
    static String javaName(String digest) {
        String d = digest.strip().toLowerCase(Locale.ROOT);
        return switch (d) {
            case "md5" -> "MD5";
            case "sha1" -> "SHA-1";
            case "sha224" -> "SHA-224";
            case "sha256" -> "SHA-256";
            case "sha384" -> "SHA-384";
            case "sha512" -> "SHA-512";
            default -> d;
        };
    }
}
