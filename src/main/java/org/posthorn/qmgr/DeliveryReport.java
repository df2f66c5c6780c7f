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

    /** By the status's class: 2 sent, 4 deferred, 5 bounced. */
    default void report(DeliveryRecipient recipient, DeliveryStatus status) {
        switch (status.dsn().charAt(0)) {
            case '2' -> sent(recipient, status);
            case '5' -> bounced(recipient, status);
            default -> deferred(recipient, status);
        }
    }
}
