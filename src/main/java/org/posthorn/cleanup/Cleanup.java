package org.posthorn.cleanup;

/**
 * The seam to cleanup(8): the only way new mail enters the queue.
 *
 * <p>A producer (smtpd, qmqpd, pickup, bounce, {@code postsuper -r}) opens one
 * {@link Submission} per message with its {@link Envelope} and {@link Origin}, adds the
 * recipients, streams the content as line records, and then either
 * {@link Submission#finish() finishes} it, which returns the queue ID once the queue file
 * is safely on disk, or {@link Submission#abort() aborts} it, which leaves nothing behind.
 * Nothing may appear in {@code incoming/} before finish succeeds; after finish returns
 * {@link Result.Queued} the mail must never be lost (Postfix answers {@code 250} only then).
 *
 * <h2>Content</h2>
 * The message is never held whole in memory on either side of the seam. Content arrives as
 * Postfix's queue-file records: each call of {@link Submission#record} carries one piece of
 * a line without its line terminator; {@code endOfLine} true closes the line (a queue-file
 * {@code N} record), false says the line goes on in the next call (an {@code L} record: the
 * producer splits lines longer than {@code line_length_limit}). The first records are the
 * producer's own headers (smtpd's {@code Received:}), then the message as received, headers
 * first. Dot-unstuffing and CR/LF handling are the producer's job; the implementation sees
 * plain lines. {@code header_size_limit} and the other content limits of cleanup(8) are the
 * implementation's job.
 *
 * <h2>What smtpd hands over</h2>
 * <ul>
 * <li>{@link Envelope}: the MAIL FROM address as received (no rewriting: canonical maps,
 *     masquerading and virtual aliases are cleanup's), SIZE, BODY, SMTPUTF8, RET, ENVID.</li>
 * <li>{@link Origin}: client name/address/port, reverse name, HELO, protocol
 *     ({@code protocol_name}), server address/port, and XFORWARD attributes when a content
 *     filter sent them (Postfix's {@code log_*} / {@code forward_*} attributes).</li>
 * <li>{@link Recipient}s in RCPT order; the ORCPT is always set, {@code rfc822;address} when
 *     the client gave none, as Postfix writes {@code dsn_orig_rcpt}.</li>
 * <li>Content: the Received: header lines, then every content line; a line may contain a
 *     bare CR (stray CR/LF replacement, {@code cleanup_replace_stray_cr_lf}, is cleanup's).
 *     smtpd counts {@code message_size_limit} itself and aborts the submission when the
 *     message is too big, so finish is only called for messages within the limit.</li>
 * <li>The outcome: smtpd replies {@code 250 2.0.0 Ok: queued as ID} for
 *     {@link Result.Queued}, and {@link Result.Rejected#reply()} as it is for a rejection.</li>
 * </ul>
 * Not carried yet: the HOLD, DISCARD, FILTER, REDIRECT, BCC and PREPEND actions of smtpd's
 * access tables (smtpd records them, see its Restrictions), SASL attributes, and the
 * {@code rewrite_context}.
 *
 * <h2>Threads</h2>
 * A submission is used by one thread at a time (the session's virtual thread); many
 * submissions may be open at once on one Cleanup.
 */
public interface Cleanup {

    /**
     * Starts a new message. The queue ID is assigned now (smtpd logs
     * {@code QUEUEID: client=...} and writes {@code id QUEUEID} into its Received: header
     * before any content is sent).
     *
     * @throws CleanupException when no queue file can be created (smtpd answers
     *         {@code 451 4.3.0 Error: queue file write error})
     */
    Submission open(Envelope envelope, Origin origin) throws CleanupException;

    /** One message being written; see the class comment for the record rules. */
    interface Submission {
        /** The queue ID of the file being written (e.g. {@code 8CF5E20C043}). */
        String queueId();

        /** Adds an envelope recipient, in the order received. */
        void addRecipient(Recipient recipient) throws CleanupException;

        /**
         * One content record: {@code length} bytes of {@code buffer} from {@code offset}, without
         * CR or LF at the end. {@code endOfLine} false means the line continues in the next
         * record. The bytes are copied before this returns.
         */
        void record(byte[] buffer, int offset, int length, boolean endOfLine) throws CleanupException;

        /** Convenience for one complete line of text (producer headers); UTF-8 encoded. */
        default void line(String text) throws CleanupException {
            byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            record(b, 0, b.length, true);
        }

        /**
         * Ends the content and commits the message: the file is complete, flushed and visible
         * to the queue manager when this returns {@link Result.Queued}. On
         * {@link Result.Rejected} nothing is left in the queue. Calling anything after
         * finish is an error.
         */
        Result finish();

        /** Drops the message: nothing is left in the queue. Safe to call more than once and after finish. */
        void abort();
    }

    /** The outcome of {@link Submission#finish()}. */
    sealed interface Result {
        /** The message is in the queue under this ID. */
        record Queued(String queueId) implements Result {
        }

        /**
         * The message was refused (header/body checks, milters, size, a write error).
         *
         * @param code    SMTP reply code, e.g. 550, 552, 451
         * @param dsn     enhanced status code, e.g. {@code 5.7.1}
         * @param text    reply text without code and enhanced code, e.g. {@code Error: message file too big}
         */
        record Rejected(int code, String dsn, String text) implements Result {
            /** The reply as smtpd sends it: {@code code dsn text}. */
            public String reply() {
                return code + " " + dsn + " " + text;
            }
        }
    }
}
