package org.posthorn.dns;

/**
 * A failed lookup, worded as Postfix words it, with the RFC 3463 status that decides whether
 * the mail bounces (5.x.x: the name does not exist, null MX) or is retried (4.x.x: SERVFAIL,
 * timeouts).
 */
public final class DnsException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a lookup failed, as Postfix's resolver layer classifies it. */
    public enum Kind {
        /** NXDOMAIN. */
        NOT_FOUND("Host not found"),
        /** The name exists without a record of the asked type. */
        NO_DATA("Host found but no data record of requested type"),
        /** SERVFAIL, REFUSED, a timeout: ask again later. */
        TRY_AGAIN("Host not found, try again"),
        /** FORMERR, NOTIMP: asking again will not help. */
        NO_RECOVERY("Non-recoverable error"),
        /** RFC 7505: the domain says it accepts no mail. */
        NULL_MX("Domain does not accept mail (nullMX)");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final Kind kind;
    private final String dsn;

    public DnsException(Kind kind, String dsn, String message) {
        super(message);
        this.kind = kind;
        this.dsn = dsn;
    }

    /** A resolver error for one query: "Host or domain name not found. Name service error for name=N type=T: ...". */
    public static DnsException lookup(Kind kind, String name, String type) {
        String dsn = kind == Kind.TRY_AGAIN ? "4.4.3" : "5.4.4";
        return new DnsException(kind, dsn, "Host or domain name not found. Name service error for name="
                + name + " type=" + type + ": " + kind.text());
    }

    public Kind kind() {
        return kind;
    }

    /** The RFC 3463 status: 4.4.3 for temporary failures, 5.4.4 or 5.1.0 for permanent ones. */
    public String dsn() {
        return dsn;
    }

    public boolean temporary() {
        return dsn.charAt(0) == '4';
    }
}
