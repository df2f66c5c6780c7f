package org.posthorn.cleanup;

import java.time.Instant;

/**
 * The sender side of a message's envelope as given in MAIL FROM (or by pickup/bounce).
 *
 * @param sender   the envelope sender as received, without angle brackets; "" for the null sender
 * @param arrival  the arrival time (queue-file time record, Received: date)
 * @param size     the SIZE= declared by the client (RFC 1870), or -1 when none
 * @param body     the BODY= value ({@code 7BIT}, {@code 8BITMIME}), or null when not given (RFC 6152)
 * @param smtputf8 whether the client declared SMTPUTF8 (RFC 6531)
 * @param ret      the DSN RET= value ({@code FULL} or {@code HDRS}), or null (RFC 3461)
 * @param envid    the DSN ENVID= value, xtext-decoded, or null (RFC 3461)
 * @param fullName the sender's full name (sendmail -F, the maildrop {@code F} record), or null when none
 * @param verp     VERP delimiters (sendmail -V/-XV, the maildrop {@code V} record), or null when none
 * @param traceFlags the maildrop's trace_flags (1024: sendmail -v's delivery report), 0 when none
 */
public record Envelope(String sender, Instant arrival, long size, String body, boolean smtputf8,
                       String ret, String envid, String fullName, String verp, int traceFlags) {
    /** An envelope without trace flags. */
    public Envelope(String sender, Instant arrival, long size, String body, boolean smtputf8, String ret, String envid,
                    String fullName, String verp) {
        this(sender, arrival, size, body, smtputf8, ret, envid, fullName, verp, 0);
    }

    /** An envelope without VERP. */
    public Envelope(String sender, Instant arrival, long size, String body, boolean smtputf8, String ret, String envid,
                    String fullName) {
        this(sender, arrival, size, body, smtputf8, ret, envid, fullName, null);
    }

    /** An envelope without a full name, as smtpd, qmqpd, bounce and local forwarding give it. */
    public Envelope(String sender, Instant arrival, long size, String body, boolean smtputf8, String ret, String envid) {
        this(sender, arrival, size, body, smtputf8, ret, envid, null);
    }

    /** An envelope with only a sender, for producers without ESMTP parameters (pickup, bounce). */
    public static Envelope of(String sender, Instant arrival) {
        return new Envelope(sender, arrival, -1, null, false, null, null);
    }
}
