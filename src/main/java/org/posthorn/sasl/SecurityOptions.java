package org.posthorn.sasl;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.posthorn.config.Config;

/**
 * smtpd_sasl_security_options, smtp_sasl_security_options and their _tls_ variants:
 * {@code noplaintext}, {@code noactive}, {@code nodictionary}, {@code noanonymous},
 * {@code mutual_auth} and {@code forward_secrecy} decide which mechanisms may be used.
 */
public record SecurityOptions(Set<Mechanism.Property> forbidden, Set<Mechanism.Property> required) {

    /** Parses an option list; an unknown word is a configuration error, as in Postfix. */
    public static SecurityOptions parse(String parameter, String value) {
        EnumSet<Mechanism.Property> forbidden = EnumSet.noneOf(Mechanism.Property.class);
        EnumSet<Mechanism.Property> required = EnumSet.noneOf(Mechanism.Property.class);
        for (String word : Config.splitList(value)) {
            switch (word.toLowerCase(Locale.ROOT)) {
                case "noplaintext" -> forbidden.add(Mechanism.Property.PLAINTEXT);
                case "noactive" -> forbidden.add(Mechanism.Property.ACTIVE);
                case "nodictionary" -> forbidden.add(Mechanism.Property.DICTIONARY);
                case "noanonymous" -> forbidden.add(Mechanism.Property.ANONYMOUS);
                case "mutual_auth" -> required.add(Mechanism.Property.MUTUAL_AUTH);
                case "forward_secrecy" -> required.add(Mechanism.Property.FORWARD_SECRECY);
                // Cyrus-only words Postfix also accepts; they change nothing for PLAIN and LOGIN
                case "noplain", "no_plaintext" -> forbidden.add(Mechanism.Property.PLAINTEXT);
                default -> throw new IllegalArgumentException("unknown " + parameter + " value \"" + word
                        + "\" in \"" + value + "\"");
            }
        }
        return new SecurityOptions(Set.copyOf(forbidden), Set.copyOf(required));
    }

    public boolean allows(Mechanism m) {
        for (Mechanism.Property p : forbidden) if (m.properties().contains(p)) return false;
        return m.properties().containsAll(required);
    }

    /** The mechanisms these options allow, in the given order. */
    public List<Mechanism> filter(List<Mechanism> mechanisms) {
        List<Mechanism> out = new ArrayList<>();
        for (Mechanism m : mechanisms) if (allows(m)) out.add(m);
        return out;
    }
}
