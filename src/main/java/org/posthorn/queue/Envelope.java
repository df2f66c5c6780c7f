package org.posthorn.queue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a queue file says about its message apart from the content: the envelope segment
 * and the extracted segment together, as qmgr and the delivery agents need it.
 *
 * @param size the size record; null in a maildrop file, which has none
 * @param arrivalTime the {@code T} record
 * @param sender the {@code S} record ("" for the null sender)
 * @param fullName the {@code F} record; null if none
 * @param attributes every {@code A name=value}, in file order, the last one winning; the
 *        per-recipient DSN attributes (dsn_orig_rcpt, notify_flags) go to their {@link Recipient} instead
 * @param recipients every recipient of both segments, in file order, done ones included
 * @param records every other envelope and extracted record (I, L, V, W, >, f, d, <, i, m, P, r, e, K, c ...), in file order,
 *        and the {@code A trace_flags=} record (also in attributes), whose offset qmgr needs to kill it
 * @param dataOffset the offset of the first content record
 * @param extractedOffset the offset of the {@code X} record
 * @param endOffset the offset of the {@code E} record
 */
public record Envelope(SizeRecord size, Instant arrivalTime, String sender, String fullName,
                       Map<String, String> attributes, List<Recipient> recipients, List<Record> records,
                       long dataOffset, long extractedOffset, long endOffset) {

    /** The decoded size record: six fields, fewer in files from old Postfix versions (missing ones are 0). */
    public record SizeRecord(long contentSize, long dataOffset, long recipientCount, long qmgrFlags,
                             long contentLength, long smtputf8Flags) {
    }

    /** An attribute's value, or null. */
    public String attribute(String name) {
        return attributes.get(name);
    }

    /** The recipients not yet delivered. */
    public List<Recipient> pendingRecipients() {
        return recipients.stream().filter(r -> r.status() == Recipient.Status.TODO).toList();
    }

    /** The first other record of a type, or null (e.g. {@code W} for the warning time). */
    public Record first(RecordType type) {
        for (Record r : records) if (r.code() == type.code()) return r;
        return null;
    }
}
