package org.posthorn.sasl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Checks a password against a stored hash as Dovecot writes it ({@code doveadm pw -s SCHEME}):
 * {@code {SHA512-CRYPT}}, {@code {SHA256-CRYPT}}, {@code {BLF-CRYPT}}, {@code {ARGON2ID}},
 * {@code {ARGON2I}}, {@code {PLAIN}} (also {@code {CLEAR}}, {@code {CLEARTEXT}}) and
 * {@code {CRYPT}}; a value without a scheme prefix is taken as a crypt(3) string, as
 * Dovecot's default_pass_scheme CRYPT does.
 */
public final class PasswordHash {
    private PasswordHash() {
    }

    /** The scheme name of a stored value ({@code SHA512-CRYPT}, ...), CRYPT when it has none. */
    public static String scheme(String stored) {
        if (stored.startsWith("{")) {
            int close = stored.indexOf('}');
            if (close > 1) return stored.substring(1, close).toUpperCase(Locale.ROOT);
        }
        return "CRYPT";
    }

    private static String body(String stored) {
        return stored.startsWith("{") && stored.indexOf('}') > 1 ? stored.substring(stored.indexOf('}') + 1) : stored;
    }

    /**
     * Whether the password matches. An unknown scheme or a malformed hash is an
     * IllegalArgumentException naming the problem (a configuration error, not a wrong password).
     */
    public static boolean verify(String stored, String password) {
        String scheme = scheme(stored);
        String hash = body(stored);
        return switch (scheme) {
            case "PLAIN", "CLEAR", "CLEARTEXT" -> MessageDigest.isEqual(hash.getBytes(StandardCharsets.UTF_8),
                    password.getBytes(StandardCharsets.UTF_8));
            case "SHA512-CRYPT", "SHA256-CRYPT", "BLF-CRYPT", "CRYPT" -> crypt(scheme, hash, password);
            case "ARGON2ID", "ARGON2I" -> argon2(hash, password);
            default -> throw new IllegalArgumentException("unsupported password scheme {" + scheme + "}");
        };
    }

    /** A crypt(3) string: $6$ and $5$ (SHA-crypt), $2a$/$2b$/$2y$ (bcrypt), or $argon2... */
    private static boolean crypt(String scheme, String hash, String password) {
        if (hash.startsWith("$6$") || hash.startsWith("$5$")) {
            if (scheme.equals("SHA512-CRYPT") && !hash.startsWith("$6$")
                    || scheme.equals("SHA256-CRYPT") && !hash.startsWith("$5$")) {
                throw new IllegalArgumentException("{" + scheme + "} value is not a matching crypt string");
            }
            return ShaCrypt.verify(hash, password);
        }
        if (hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$")) {
            if (hash.length() != 60) throw new IllegalArgumentException("malformed bcrypt hash");
            try {
                return OpenBSDBCrypt.checkPassword(hash, password.getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("malformed bcrypt hash: " + e.getMessage(), e);
            }
        }
        if (hash.startsWith("$argon2")) return argon2(hash, password);
        throw new IllegalArgumentException("{" + scheme + "} value is not a crypt string this server knows");
    }

    /** The PHC string format: $argon2id$v=19$m=65536,t=3,p=1$salt$hash (unpadded base64). */
    private static boolean argon2(String hash, String password) {
        String[] f = hash.split("\\$", -1);
        if (f.length != 6 || !f[0].isEmpty()) throw new IllegalArgumentException("malformed Argon2 hash");
        int type = switch (f[1]) {
            case "argon2id" -> Argon2Parameters.ARGON2_id;
            case "argon2i" -> Argon2Parameters.ARGON2_i;
            case "argon2d" -> Argon2Parameters.ARGON2_d;
            default -> throw new IllegalArgumentException("unknown Argon2 variant " + f[1]);
        };
        try {
            if (!f[2].startsWith("v=")) throw new IllegalArgumentException("malformed Argon2 hash");
            int version = Integer.parseInt(f[2].substring(2));
            int memory = 0;
            int iterations = 0;
            int parallelism = 0;
            for (String kv : f[3].split(",")) {
                int eq = kv.indexOf('=');
                int v = Integer.parseInt(kv.substring(eq + 1));
                switch (kv.substring(0, eq)) {
                    case "m" -> memory = v;
                    case "t" -> iterations = v;
                    case "p" -> parallelism = v;
                    default -> { }
                }
            }
            if (memory <= 0 || iterations <= 0 || parallelism <= 0 || memory > 4 * 1024 * 1024) {
                throw new IllegalArgumentException("bad Argon2 parameters " + f[3]);
            }
            byte[] salt = Base64.getDecoder().decode(f[4]);
            byte[] expected = Base64.getDecoder().decode(f[5]);
            Argon2BytesGenerator gen = new Argon2BytesGenerator();
            gen.init(new Argon2Parameters.Builder(type).withVersion(version).withMemoryAsKB(memory)
                    .withIterations(iterations).withParallelism(parallelism).withSalt(salt).build());
            byte[] got = new byte[expected.length];
            gen.generateBytes(password.getBytes(StandardCharsets.UTF_8), got);
            return MessageDigest.isEqual(got, expected);
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("malformed Argon2 hash: " + e.getMessage(), e);
        }
    }
}
