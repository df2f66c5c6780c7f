package org.posthorn.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The TLS policy of the smtp/lmtp client for one destination: a security level and the
 * attributes an smtp_tls_policy_maps entry may add ({@code match=}, {@code protocols=},
 * {@code ciphers=}, {@code exclude=}). Parsed with Postfix's rules: attributes are
 * separated by white space or commas, {@code match=} may repeat and holds ':'-separated
 * names (verify, secure) or '|'-separated fingerprints (fingerprint), the others at most once.
 *
 * @param level     the security level
 * @param match     match= values in order (names or strategies; fingerprints at level fingerprint)
 * @param protocols protocols= or null for the main.cf setting
 * @param ciphers   ciphers= (a grade) or null for the main.cf setting
 * @param exclude   exclude= or null for the main.cf setting
 */
public record TlsPolicy(Level level, List<String> match, String protocols, String ciphers, String exclude) {

    /** Postfix's client security levels, weakest first (the order matters: see {@link #atLeast}). */
    public enum Level {
        NONE("none"), MAY("may"), ENCRYPT("encrypt"), FINGERPRINT("fingerprint"), DANE("dane"),
        DANE_ONLY("dane-only"), VERIFY("verify"), SECURE("secure");

        private final String text;

        Level(String text) {
            this.text = text;
        }

        /** The name as written in main.cf and policy tables. */
        public String text() {
            return text;
        }

        /** The level for a name (case-insensitive), or null for an unknown name. */
        public static Level of(String name) {
            for (Level l : values()) if (l.text.equalsIgnoreCase(name)) return l;
            return null;
        }

        public boolean atLeast(Level other) {
            return compareTo(other) >= 0;
        }

        /** Whether TLS is mandatory: no plaintext delivery at this level. */
        public boolean mandatory() {
            return atLeast(ENCRYPT);
        }

        /** Whether the certificate must match (fingerprint, DANE, a name): levels above encrypt. */
        public boolean mustMatch() {
            return compareTo(ENCRYPT) > 0;
        }
    }

    /** A policy table entry that cannot be used; its message is Postfix's warning text after the location. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        public Invalid(String message) {
            super(message);
        }
    }

    public TlsPolicy {
        match = List.copyOf(match);
    }

    /** A policy of just a level, everything else from main.cf. */
    public static TlsPolicy of(Level level) {
        return new TlsPolicy(level, List.of(), null, null, null);
    }

    /**
     * Parses a policy table value ("verify match=hostname:nexthop protocols=!SSLv3").
     *
     * @param warn receives the warnings Postfix logs for attributes ignored at level none
     * @throws Invalid with the text Postfix warns with ("invalid security level \"x\"", ...)
     */
    public static TlsPolicy parse(String value, java.util.function.Consumer<String> warn) throws Invalid {
        List<String> tokens = new ArrayList<>();
        for (String t : value.split("[\\t\\n\\r ,]+")) if (!t.isEmpty()) tokens.add(t);
        if (tokens.isEmpty()) throw new Invalid("invalid empty policy");
        Level level = Level.of(tokens.getFirst());
        if (level == null) throw new Invalid("invalid security level \"" + tokens.getFirst() + "\"");
        if (level == Level.NONE) {
            for (String t : tokens.subList(1, tokens.size())) warn.accept("ignoring attribute \"" + t + "\" with TLS disabled");
            return of(level);
        }
        List<String> match = new ArrayList<>();
        String protocols = null;
        String ciphers = null;
        String exclude = null;
        for (String t : tokens.subList(1, tokens.size())) {
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw new Invalid("malformed attribute/value pair \"" + t + "\": "
                        + (eq == 0 ? "missing attribute name" : "missing '=' after attribute name"));
            }
            String name = t.substring(0, eq).toLowerCase(Locale.ROOT);
            String val = t.substring(eq + 1);
            switch (name) {
                case "ciphers" -> {
                    if (val.isEmpty()) throw new Invalid("attribute \"" + name + "\" has empty value");
                    if (ciphers != null) throw multiple(name);
                    ciphers = val;
                }
                case "protocols" -> {
                    if (protocols != null) throw multiple(name);
                    protocols = val;
                }
                case "exclude" -> {
                    if (exclude != null) throw multiple(name);
                    exclude = val;
                }
                case "match" -> {
                    if (val.isEmpty()) throw new Invalid("attribute \"" + name + "\" has empty value");
                    switch (level) {
                        case FINGERPRINT -> addAll(match, val, "\\|");
                        case VERIFY, SECURE -> addAll(match, val, ":");
                        default -> throw new Invalid("attribute \"" + name + "\" invalid at security level \""
                                + level.text() + "\"");
                    }
                }
                default -> throw new Invalid("invalid attribute name: \"" + name + "\"");
            }
        }
        return new TlsPolicy(level, match, protocols, ciphers, exclude);
    }

    private static Invalid multiple(String name) {
        return new Invalid("attribute \"" + name + "\" is specified multiple times");
    }

    private static void addAll(List<String> out, String text, String separator) {
        for (String s : text.split(separator)) if (!s.isEmpty()) out.add(s);
    }
}
