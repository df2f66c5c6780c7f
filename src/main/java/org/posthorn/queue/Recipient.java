package org.posthorn.queue;

/**
 * A recipient read from a queue file with the records that precede it.
 *
 * @param address the (rewritten) recipient address, from {@code R}, {@code D} or {@code /}
 * @param originalAddress the address as received, from the preceding {@code O}; null if none
 * @param dsnOrigRcpt the RFC 3461 ORCPT ({@code A dsn_orig_rcpt=} or {@code o}); null if none
 * @param dsnNotify the DSN NOTIFY flags ({@code A notify_flags=} or {@code n}); 0 if none
 * @param offset the file offset of the recipient record: the handle for marking it done
 * @param status whether it is still to be delivered
 */
public record Recipient(String address, String originalAddress, String dsnOrigRcpt, int dsnNotify,
                        long offset, Status status) {
    /** {@code R}: to deliver; {@code D}: delivered (marked in place); {@code /}: cancelled. */
    public enum Status { TODO, DONE, CANCELLED }
}
