package org.posthorn.sasl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * crypt(3)'s SHA-256 and SHA-512 methods ({@code $5$} and {@code $6$}), written from Ulrich
 * Drepper's specification "Unix crypt using SHA-256 and SHA-512": Dovecot's SHA256-CRYPT and
 * SHA512-CRYPT schemes are these strings.
 */
final class ShaCrypt {
    private static final String ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int DEFAULT_ROUNDS = 5000;

    /** Byte triples of the final digest in output order (the specification's table). */
    private static final int[][] ORDER_512 = {
        {0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4}, {47, 5, 26}, {6, 27, 48},
        {28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13},
        {56, 14, 35}, {15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41}};
    private static final int[][] ORDER_256 = {
        {0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14}, {15, 25, 5}, {6, 16, 26},
        {27, 7, 17}, {18, 28, 8}, {9, 19, 29}};

    private ShaCrypt() {
    }

    /** Whether {@code password} hashes to {@code stored} ({@code $5$...} or {@code $6$...}). */
    static boolean verify(String stored, String password) {
        String again = hash(stored, password.getBytes(StandardCharsets.UTF_8));
        return again != null && MessageDigest.isEqual(again.getBytes(StandardCharsets.US_ASCII),
                stored.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The crypt string for a key with the method, rounds and salt of {@code setting}
     * ({@code $6$[rounds=N$]salt[$...]}); null when the setting is malformed.
     */
    static String hash(String setting, byte[] key) {
        boolean sha512 = setting.startsWith("$6$");
        if (!sha512 && !setting.startsWith("$5$")) return null;
        String rest = setting.substring(3);
        int rounds = DEFAULT_ROUNDS;
        boolean customRounds = false;
        if (rest.startsWith("rounds=")) {
            int dollar = rest.indexOf('$');
            if (dollar < 0) return null;
            try {
                long r = Long.parseLong(rest.substring(7, dollar));
                rounds = (int) Math.max(1000, Math.min(999_999_999L, r));
            } catch (NumberFormatException e) {
                return null;
            }
            customRounds = true;
            rest = rest.substring(dollar + 1);
        }
        int dollar = rest.indexOf('$');
        String saltText = dollar < 0 ? rest : rest.substring(0, dollar);
        if (saltText.length() > 16) saltText = saltText.substring(0, 16);
        byte[] salt = saltText.getBytes(StandardCharsets.UTF_8);
        byte[] digest = digest(sha512 ? "SHA-512" : "SHA-256", key, salt, rounds);
        StringBuilder out = new StringBuilder(sha512 ? "$6$" : "$5$");
        if (customRounds) out.append("rounds=").append(rounds).append('$');
        out.append(saltText).append('$');
        for (int[] t : sha512 ? ORDER_512 : ORDER_256) encode(out, digest[t[0]], digest[t[1]], digest[t[2]], 4);
        if (sha512) encode(out, (byte) 0, (byte) 0, digest[63], 2);
        else encode(out, (byte) 0, digest[31], digest[30], 3);
        return out.toString();
    }

    private static byte[] digest(String algorithm, byte[] key, byte[] salt, int rounds) {
        MessageDigest md = newDigest(algorithm);
        int size = md.getDigestLength();
        // digest B: key, salt, key
        md.update(key);
        md.update(salt);
        md.update(key);
        byte[] b = md.digest();
        // digest A: key, salt, B repeated over the key's length, then B or key per bit of the length
        md.update(key);
        md.update(salt);
        int n = key.length;
        for (; n > size; n -= size) md.update(b, 0, size);
        md.update(b, 0, n);
        for (int len = key.length; len > 0; len >>= 1) {
            if ((len & 1) != 0) md.update(b, 0, size);
            else md.update(key);
        }
        byte[] a = md.digest();
        // P: the key repeated key-length times, digested, stretched to the key's length
        for (int i = 0; i < key.length; i++) md.update(key);
        byte[] dp = md.digest();
        byte[] p = stretch(dp, key.length);
        // S: the salt repeated 16 + A[0] times, digested, stretched to the salt's length
        for (int i = 0; i < 16 + (a[0] & 0xff); i++) md.update(salt);
        byte[] ds = md.digest();
        byte[] s = stretch(ds, salt.length);
        byte[] c = a;
        for (int i = 0; i < rounds; i++) {
            if ((i & 1) != 0) md.update(p);
            else md.update(c);
            if (i % 3 != 0) md.update(s);
            if (i % 7 != 0) md.update(p);
            if ((i & 1) != 0) md.update(c);
            else md.update(p);
            c = md.digest();
        }
        return c;
    }

    private static byte[] stretch(byte[] digest, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) out[i] = digest[i % digest.length];
        return out;
    }

    private static void encode(StringBuilder out, byte b2, byte b1, byte b0, int chars) {
        int w = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
        for (int i = 0; i < chars; i++) {
            out.append(ALPHABET.charAt(w & 0x3f));
            w >>>= 6;
        }
    }

    private static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " missing from the JDK", e);
        }
    }
}
