package org.posthorn.tls;

import java.util.Locale;

/**
 * One JSSE cipher suite taken apart into the components OpenSSL's cipher strings name
 * (key exchange, authentication, encryption, MAC, bits), with its OpenSSL name for log lines.
 *
 * @param jsse    the IANA name JSSE uses, e.g. TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
 * @param kx      key exchange: TLS13, ECDHE, DHE, RSA, ECDH, DH, or anon ones (ECDHE/DHE with auth NULL)
 * @param auth    authentication: RSA, ECDSA, DSS, NULL (anonymous), or ANY for TLS 1.3
 * @param cipher  encryption: AES128, AES256, AES128GCM, AES256GCM, CHACHA20, 3DES, DES, RC4, NULL, ...
 * @param mac     SHA1, SHA256, SHA384, MD5, AEAD
 * @param bits    symmetric key bits as OpenSSL counts them (3DES: 112 of 168)
 * @param algBits the algorithm's nominal bits (3DES: 168)
 */
public record CipherSuite(String jsse, String kx, String auth, String cipher, String mac, int bits, int algBits) {

    /** Parses an IANA suite name; null for a signalling value or a name this class cannot read. */
    public static CipherSuite parse(String name) {
        if (!name.startsWith("TLS_") || name.endsWith("_SCSV")) return null;
        String rest = name.substring(4);
        if (!rest.contains("_WITH_")) {
            // TLS 1.3: TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256
            int last = rest.lastIndexOf('_');
            String c = cipherOf(rest.substring(0, last));
            if (c == null) return null;
            return new CipherSuite(name, "TLS13", "ANY", c, "AEAD", bitsOf(c), bitsOf(c));
        }
        String[] kxAndRest = rest.split("_WITH_", 2);
        String kxPart = kxAndRest[0];
        String cm = kxAndRest[1];
        String kx;
        String auth;
        switch (kxPart) {
            case "RSA" -> { kx = "RSA"; auth = "RSA"; }
            case "DH_anon" -> { kx = "DHE"; auth = "NULL"; }
            case "ECDH_anon" -> { kx = "ECDHE"; auth = "NULL"; }
            default -> {
                int u = kxPart.indexOf('_');
                if (u < 0) return null;
                kx = kxPart.substring(0, u);
                auth = kxPart.substring(u + 1);
            }
        }
        int last = cm.lastIndexOf('_');
        if (last < 0) return null;
        String macPart = cm.substring(last + 1);
        String c = cipherOf(cm.substring(0, last));
        if (c == null) return null;
        String mac = c.endsWith("GCM") || c.equals("CHACHA20") ? "AEAD" : switch (macPart) {
            case "SHA" -> "SHA1";
            case "SHA256", "SHA384", "MD5" -> macPart;
            default -> null;
        };
        if (mac == null) return null;
        int bits = c.equals("3DES") ? 112 : bitsOf(c);
        return new CipherSuite(name, kx, auth, c, mac, bits, bitsOf(c));
    }

    private static String cipherOf(String s) {
        return switch (s) {
            case "AES_128_CBC" -> "AES128";
            case "AES_256_CBC" -> "AES256";
            case "AES_128_GCM" -> "AES128GCM";
            case "AES_256_GCM" -> "AES256GCM";
            case "CHACHA20_POLY1305" -> "CHACHA20";
            case "3DES_EDE_CBC" -> "3DES";
            case "DES_CBC" -> "DES";
            case "RC4_128" -> "RC4";
            case "NULL" -> "NULL";
            default -> null;
        };
    }

    private static int bitsOf(String cipher) {
        return switch (cipher) {
            case "AES256", "AES256GCM", "CHACHA20" -> 256;
            case "AES128", "AES128GCM", "RC4" -> 128;
            case "3DES" -> 168;
            case "DES" -> 56;
            default -> 0;
        };
    }

    /** Whether the suite is anonymous (no server authentication: OpenSSL's aNULL). */
    public boolean anonymous() {
        return auth.equals("NULL");
    }

    /**
     * The suite's name as OpenSSL (and so Postfix's log lines and Received: headers) spells it:
     * ECDHE-RSA-AES256-GCM-SHA384, AES128-SHA, TLS_AES_256_GCM_SHA384.
     */
    public String opensslName() {
        if (kx.equals("TLS13")) return jsse;
        String prefix;
        if (anonymous()) {
            prefix = kx.equals("ECDHE") ? "AECDH-" : "ADH-";
        } else if (kx.equals("RSA")) {
            prefix = "";
        } else if (kx.equals("DHE") && cipher.equals("3DES")) {
            prefix = "EDH-" + auth + "-";
        } else {
            prefix = kx + "-" + auth + "-";
        }
        String enc = switch (cipher) {
            case "AES128GCM" -> "AES128-GCM";
            case "AES256GCM" -> "AES256-GCM";
            case "CHACHA20" -> "CHACHA20-POLY1305";
            case "3DES" -> "DES-CBC3";
            case "DES" -> "DES-CBC";
            default -> cipher;
        };
        String m = switch (mac) {
            case "AEAD" -> cipher.equals("CHACHA20") ? "" : "-" + jsse.substring(jsse.lastIndexOf('_') + 1);
            case "SHA1" -> "-SHA";
            default -> "-" + mac;
        };
        return (prefix + enc + m).toUpperCase(Locale.ROOT);
    }
}
