package org.posthorn.qmgr;

/**
 * Where an agent reports each recipient's outcome. The implementation (qmgr's) logs the
 * Postfix line {@code QUEUEID: to=<r>, orig_to=<o>, relay=..., delay=..., delays=a/b/c/d,
 * dsn=..., status=sent|deferred|bounced (text)} with the agent's log tag, appends the
 * recipient to the message's defer or bounce log, marks a sent or bounced recipient done in
 * the queue file (forced to disk) before returning, and keeps track for qmgr.
 */
public interface DeliveryReport {
    void sent(DeliveryRecipient recipient, DeliveryStatus status);

    void deferred(DeliveryRecipient recipient, DeliveryStatus status);

    void bounced(DeliveryRecipient recipient, DeliveryStatus status);

    /**
     * The agent could not reach the destination at all (no server answered: connection
     * refused or timed out, no greeting), as opposed to a server that answered and refused
     * some recipients. qmgr counts this as negative concurrency feedback and, after
     * enough of it, declares the destination dead ("delivery temporarily suspended").
     * Report the recipients as deferred as well. Without this call, a job whose every
     * recipient was deferred with relay=none and a 4.4.x status counts as such a failure.
     */
    default void destinationUnreachable(DeliveryStatus reason) {
    }

    /** By the status's class: 2 sent, 4 deferred, 5 bounced. */
    default void report(DeliveryRecipient recipient, DeliveryStatus status) {
        switch (status.dsn().charAt(0)) {
            case '2' -> sent(recipient, status);
            case '5' -> bounced(recipient, status);
            default -> deferred(recipient, status);
        }
    }

    /**
     * As {@link #report(DeliveryRecipient, DeliveryStatus)} for a recipient that was passed
     * to another transport's agent (local(8)'s mailbox_transport): its line carries that
     * agent's tag ({@code postfix/lmtp}), as in Postfix where that agent logs it.
     */
    default void report(DeliveryRecipient recipient, DeliveryStatus status, org.posthorn.log.Log as) {
        report(recipient, status);
    }
}
