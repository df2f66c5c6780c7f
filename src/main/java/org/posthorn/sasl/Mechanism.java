package org.posthorn.sasl;

import java.util.Locale;
import java.util.Set;

/**
 * A SASL mechanism a server offers, with the security properties that
 * smtpd_sasl_security_options and smtp_sasl_security_options filter on (Dovecot's MECH flags).
 */
public record Mechanism(String name, Set<Property> properties) {
    /** What a mechanism does or does not protect against. */
    public enum Property { PLAINTEXT, ANONYMOUS, DICTIONARY, ACTIVE, FORWARD_SECRECY, MUTUAL_AUTH }

    /** PLAIN and LOGIN send the password itself. */
    public static final Mechanism PLAIN = new Mechanism("PLAIN", Set.of(Property.PLAINTEXT));
    public static final Mechanism LOGIN = new Mechanism("LOGIN", Set.of(Property.PLAINTEXT));

    public Mechanism {
        name = name.toUpperCase(Locale.ROOT);
    }

    /** The properties a mechanism of a well-known name has, for servers that do not say (client side). */
    public static Mechanism known(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        return switch (n) {
            case "PLAIN", "LOGIN" -> new Mechanism(n, Set.of(Property.PLAINTEXT));
            case "ANONYMOUS" -> new Mechanism(n, Set.of(Property.ANONYMOUS));
            case "CRAM-MD5", "DIGEST-MD5" -> new Mechanism(n, Set.of(Property.DICTIONARY));
            default -> new Mechanism(n, Set.of());
        };
    }
}
