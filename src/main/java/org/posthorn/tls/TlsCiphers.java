package org.posthorn.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Postfix's cipher grades ({@code smtpd_tls_ciphers = high|medium|low|export|null}) and
 * {@code *_exclude_ciphers} lists turned into the JSSE cipher suites to enable.
 *
 * <p>The mapping, as near to OpenSSL's grades as JSSE allows:
 * <ul>
 * <li>{@code high}: AES (CBC and GCM) and ChaCha20-Poly1305 suites, as OpenSSL 1.1+'s HIGH.</li>
 * <li>{@code medium}: high plus 3DES and RC4 (OpenSSL's MEDIUM); JSSE's
 *     {@code jdk.tls.disabledAlgorithms} still refuses 3DES and RC4 unless the administrator
 *     changes java.security.</li>
 * <li>{@code low} and {@code export}: medium plus single DES (also disabled in JSSE by default);
 *     JSSE has no export suites.</li>
 * <li>{@code null}: only suites without encryption that still authenticate the server
 *     (OpenSSL's {@code eNULL:!aNULL}); JSSE disables them by default.</li>
 * </ul>
 * Anonymous suites (OpenSSL's aNULL) are part of every grade but null, as in Postfix's
 * default cipher lists, yet JSSE disables them by default, so anonymous clients still fail.
 * TLS 1.3 suites are always enabled: as with OpenSSL, the grade and the exclusions do not
 * apply to them. The order within a grade stays JSSE's (strongest first, like @STRENGTH).
 *
 * <p>Exclusions take OpenSSL suite names (ECDHE-RSA-AES128-SHA), JSSE names, and the
 * components OpenSSL uses: aNULL, eNULL/NULL, kRSA, kEDH/kDHE/EDH/DHE, kEECDH/kECDHE/EECDH/ECDHE,
 * aRSA, aECDSA, aDSS/DSS, AES, AES128, AES256, AESGCM, CHACHA20, 3DES, DES, RC4, MD5, SHA1/SHA,
 * SHA256, SHA384. Unknown names exclude nothing, as OpenSSL ignores them.
 */
public final class TlsCiphers {
    private TlsCiphers() {
    }

    /** The suites of JSSE's default context, the universe the grades select from. */
    public static List<String> jsseSuites() {
        try {
            return List.of(javax.net.ssl.SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    /**
     * The suites of {@code supported} that the grade admits minus the exclusions, in the order given.
     *
     * @throws IllegalArgumentException for an unknown grade, naming the parameter
     */
    public static List<String> select(String parameter, String grade, String exclusions, List<String> supported) {
        String g = grade.strip().toLowerCase(Locale.ROOT);
        int rank = switch (g) {
            case "high" -> 0;
            case "medium" -> 1;
            case "low" -> 2;
            case "export" -> 3;
            case "null" -> -1;
            default -> throw new IllegalArgumentException("invalid " + parameter + " value \"" + grade.strip() + "\"");
        };
        List<String> excluded = new ArrayList<>();
        for (String token : exclusions.split("[,:\\s]+")) if (!token.isEmpty()) excluded.add(token);
        List<String> out = new ArrayList<>();
        for (String name : supported) {
            if (name.endsWith("_SCSV")) {
                out.add(name);
                continue;
            }
            CipherSuite s = CipherSuite.parse(name);
            if (s == null) continue;
            if (s.kx().equals("TLS13")) {
                out.add(name);
                continue;
            }
            if (!inGrade(s, rank)) continue;
            if (excluded.stream().anyMatch(x -> matches(s, x))) continue;
            out.add(name);
        }
        return out;
    }

    private static boolean inGrade(CipherSuite s, int rank) {
        if (rank < 0) return s.cipher().equals("NULL") && !s.anonymous();
        return switch (s.cipher()) {
            case "NULL" -> false;
            case "3DES", "RC4" -> rank >= 1;
            case "DES" -> rank >= 2;
            default -> true;
        };
    }

    /** Whether an OpenSSL cipher-string element names this suite (or a component of it). */
    static boolean matches(CipherSuite s, String token) {
        if (token.equalsIgnoreCase(s.jsse()) || token.equalsIgnoreCase(s.opensslName())) return true;
        String c = s.cipher();
        return switch (token) {
            case "aNULL" -> s.anonymous();
            case "eNULL", "NULL" -> c.equals("NULL");
            case "kRSA", "RSA" -> s.kx().equals("RSA");
            case "kEDH", "kDHE", "EDH", "DHE" -> s.kx().equals("DHE");
            case "kEECDH", "kECDHE", "EECDH", "ECDHE" -> s.kx().equals("ECDHE");
            case "aRSA" -> s.auth().equals("RSA");
            case "aECDSA", "ECDSA" -> s.auth().equals("ECDSA");
            case "aDSS", "DSS" -> s.auth().equals("DSS");
            case "ADH" -> s.anonymous() && s.kx().equals("DHE");
            case "AECDH" -> s.anonymous() && s.kx().equals("ECDHE");
            case "AES" -> c.startsWith("AES");
            case "AES128" -> c.startsWith("AES128");
            case "AES256" -> c.startsWith("AES256");
            case "AESGCM" -> c.endsWith("GCM");
            case "CHACHA20" -> c.equals("CHACHA20");
            case "3DES" -> c.equals("3DES");
            case "DES" -> c.equals("DES");
            case "RC4" -> c.equals("RC4");
            case "MD5" -> s.mac().equals("MD5");
            case "SHA1", "SHA" -> s.mac().equals("SHA1");
            case "SHA256" -> s.jsse().endsWith("_SHA256");
            case "SHA384" -> s.jsse().endsWith("_SHA384");
            default -> false;
        };
    }
}
