package org.posthorn.local;

/**
 * A delivery that did not happen, with the RFC 3463 status and the text that goes into the
 * log line and the bounce or defer log ("4.2.0 cannot update mailbox ...").
 */
public final class DeliveryFailure extends Exception {
    private final String dsn;

    public DeliveryFailure(String dsn, String text) {
        super(text);
        this.dsn = dsn;
    }

    public DeliveryFailure(String dsn, String text, Throwable cause) {
        super(text, cause);
        this.dsn = dsn;
    }

    public String dsn() {
        return dsn;
    }

    public boolean permanent() {
        return dsn.startsWith("5");
    }
}
