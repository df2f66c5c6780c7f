package org.posthorn.smtp;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * An established conversation with one server after the greeting and EHLO/HELO/LHLO: the
 * connection, what the server announced, and how often it has carried a transaction (for
 * connection reuse and conn_use=).
 */
final class SmtpSession {
    private final SmtpConnection connection;
    private final Instant created = Instant.now();
    private boolean pipelining;
    private long sizeLimit = -1;
    private boolean eightBitMime;
    private boolean dsn;
    private boolean smtputf8;
    private boolean starttls;
    /** The SASL mechanisms of the AUTH keyword (or of the old AUTH= form). */
    private java.util.List<String> authMechanisms = java.util.List.of();
    private int transactions;
    private boolean broken;
    private final String tlsKey;

    /** A session under a TLS policy (its key: the connection cache reuses it only under the same policy). */
    SmtpSession(SmtpConnection connection, String tlsKey) {
        this.connection = connection;
        this.tlsKey = tlsKey;
    }

    String tlsKey() {
        return tlsKey;
    }

    /** The connection cache key: the server's address under this session's TLS policy. */
    String cacheKey() {
        return cacheKey(target(), tlsKey);
    }

    static String cacheKey(Target target, String tlsKey) {
        return target.cacheKey() + " " + tlsKey;
    }

    /** Whether the conversation is inside TLS. */
    boolean tls() {
        return connection.tlsSession() != null;
    }

    SmtpConnection connection() {
        return connection;
    }

    Target target() {
        return connection.target();
    }

    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

    /**
     * Reads the EHLO/LHLO reply's keyword lines, minus the keywords named in
     * smtp_discard_ehlo_keywords; what an earlier EHLO said (before STARTTLS) is forgotten.
     */
    void features(Reply ehlo, Set<String> discard) {
        pipelining = false;
        sizeLimit = -1;
        eightBitMime = false;
        dsn = false;
        smtputf8 = false;
        starttls = false;
        for (int i = 1; i < ehlo.lines().size(); i++) {
            String[] words = WHITESPACE.split(ehlo.lineText(i).strip());
            String keyword = words[0].toUpperCase(Locale.ROOT);
            if (keyword.startsWith("AUTH=") && authMechanisms.isEmpty()) {
                // servers for broken clients: "AUTH=PLAIN LOGIN"
                words[0] = words[0].substring(5);
                authMechanisms = java.util.List.of(words);
                continue;
            }
            if (discard.contains(keyword.toLowerCase(Locale.ROOT))) continue;
            switch (keyword) {
                case "PIPELINING" -> pipelining = true;
                case "8BITMIME" -> eightBitMime = true;
                case "DSN" -> dsn = true;
                case "SMTPUTF8" -> smtputf8 = true;
                case "STARTTLS" -> starttls = true;
                case "AUTH" -> authMechanisms = java.util.List.of(words).subList(1, words.length);
                case "SIZE" -> {
                    sizeLimit = 0;
                    if (words.length > 1) {
                        try {
                            sizeLimit = Long.parseLong(words[1]);
                        } catch (NumberFormatException e) {
                            sizeLimit = 0;
                        }
                    }
                }
                default -> {
                }
            }
        }
    }

    /** Logged in with SASL: the connection belongs to one set of credentials. */
    private boolean authenticated;

    boolean authenticated() {
        return authenticated;
    }

    void authenticated(boolean on) {
        authenticated = on;
    }

    java.util.List<String> authMechanisms() {
        return authMechanisms;
    }

    boolean pipelining() {
        return pipelining;
    }

    /** The SIZE limit: -1 when SIZE was not announced, 0 when announced without a limit. */
    long sizeLimit() {
        return sizeLimit;
    }

    boolean eightBitMime() {
        return eightBitMime;
    }

    boolean dsn() {
        return dsn;
    }

    boolean smtputf8() {
        return smtputf8;
    }

    /** Whether STARTTLS was offered. */
    boolean starttls() {
        return starttls;
    }

    Instant created() {
        return created;
    }

    /** Counts a new transaction; returns its number on this connection (1 for the first). */
    int beginTransaction() {
        return ++transactions;
    }

    int transactions() {
        return transactions;
    }

    /** Marks the session unusable for further transactions (a protocol error, a lost reply). */
    void broken() {
        broken = true;
    }

    boolean isBroken() {
        return broken || !connection.isOpen();
    }
}
