package org.posthorn.showq;

import java.util.List;

/**
 * One queue file as showq(8) reports it.
 *
 * @param queueName    maildrop, active, incoming, deferred or hold
 * @param queueId      the file name
 * @param arrivalTime  arrival time, epoch seconds
 * @param size         the content size from the size record (the file size when there is none)
 * @param forcedExpire whether the force-expire mode bit (010) is set
 * @param sender       the sender, quoted and printable; the null sender as empty_address_recipient
 * @param recipients   the recipients still to deliver: those of the defer log first, with their reasons
 */
public record ShowqMessage(String queueName, String queueId, long arrivalTime, long size, boolean forcedExpire,
                           String sender, List<Recipient> recipients) {
    /** A recipient and why it was deferred ("" when there is no defer log entry). */
    public record Recipient(String address, String reason) {
    }
}
