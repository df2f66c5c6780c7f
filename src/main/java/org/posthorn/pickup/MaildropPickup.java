package org.posthorn.pickup;

import org.posthorn.mime.MailDate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.CleanupException;
import org.posthorn.cleanup.Envelope;
import org.posthorn.cleanup.Origin;
import org.posthorn.cleanup.Recipient;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueFileException;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.Record;
import org.posthorn.queue.RecordType;

/**
 * Moves one maildrop file into the queue: reads it as postdrop wrote it (only the postdrop
 * record types; anything else makes the file unusable and it is removed with a warning, as
 * Postfix's pickup does), opens a cleanup submission with the envelope, logs
 * {@code QUEUEID: uid=N from=<sender>}, prepends Postfix's {@code Received: by HOST (Postfix,
 * from userid N)} header, streams the content, and removes the maildrop file
 * only after cleanup answered Queued. A crash between the two leaves the file for the next
 * scan: the message may then be queued twice, never lost.
 */
final class MaildropPickup {
    /** What became of the file. */
    enum Outcome { QUEUED, REMOVED, RETRY, PARKED }

    /** Largest record accepted: above line_length_limit, for long command-line addresses. */
    private static final int MIN_RECORD_LIMIT = 65536;

    private static final DateTimeFormatter DATE = MailDate.FORMAT;

    private final Cleanup cleanup;
    private final Log log;
    private final int recordLimit;
    private final String myhostname;
    private final String mailName;

    MaildropPickup(Cleanup cleanup, Log log, int lineLimit, String myhostname, String mailName) {
        this.cleanup = cleanup;
        this.log = log;
        this.recordLimit = Math.max(lineLimit, MIN_RECORD_LIMIT);
        this.myhostname = myhostname;
        this.mailName = mailName;
    }

    /**
     * Submits one file. A postdrop file (mode 0744) may hold only postdrop's records; a file
     * without the other-read bit was put back by {@code postsuper -r} and is a whole queue
     * file, read as such (Postfix trusts those) and logged with {@code orig_id=}.
     */
    Outcome submit(Path file, long uid, boolean fromPostdrop, Instant mtime) {
        String id = file.getFileName().toString();
        QueueFileReader reader;
        try {
            reader = fromPostdrop ? QueueFileReader.openMaildrop(file, recordLimit) : QueueFileReader.open(file, recordLimit);
        } catch (NoSuchFileException e) {
            return Outcome.REMOVED;
        } catch (QueueFileException e) {
            log.warning("uid=%d: unexpected or malformed record in maildrop file %s: %s", uid, id, e.getMessage());
            return remove(file);
        } catch (IOException e) {
            log.warning("%s: %s", file, e.getMessage());
            return Outcome.RETRY;
        }
        try (reader) {
            org.posthorn.queue.Envelope env = reader.envelope();
            if ((traceFlags(env) & VERIFY_FLAGS) != 0) {
                // sendmail -bv: a report request, not mail. Address verification through the
                // delivery agents is not implemented: the request is removed, nothing is delivered.
                log.warning("%s: uid=%d from=<%s>: address verification request (sendmail -bv) is not implemented; request discarded, no report sent",
                        id, uid, env.sender());
                return remove(file);
            }
            Cleanup.Submission sub = cleanup.open(envelope(env), origin());
            try {
                log.info("%s: uid=%d from=<%s>%s", sub.queueId(), uid, env.sender(), fromPostdrop ? "" : " orig_id=" + id);
                for (org.posthorn.queue.Recipient r : env.pendingRecipients()) {
                    // as Postfix's pickup: a recipient without ORCPT gets rfc822;address (dsn_orig_rcpt)
                    String orcpt = r.dsnOrigRcpt() != null ? r.dsnOrigRcpt() : "rfc822;" + r.address();
                    sub.addRecipient(new Recipient(r.address(), notify(r.dsnNotify()), orcpt));
                }
                // as Postfix's pickup: the file owner, never the login name, for tracing
                sub.line("Received: by " + myhostname + " (" + mailName + ", from userid " + uid + ")");
                sub.line("\tid " + sub.queueId() + "; " + DATE.format(ZonedDateTime.ofInstant(mtime, ZoneId.systemDefault())));
                reader.readContent((data, lineEnd) -> {
                    try {
                        sub.record(data, 0, data.length, lineEnd);
                    } catch (CleanupException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                });
                Cleanup.Result result = sub.finish();
                if (result instanceof Cleanup.Result.Rejected rej) {
                    log.warning("%s: uid=%d from=<%s>: cleanup refused the message: %s; maildrop file %s kept",
                            sub.queueId(), uid, env.sender(), rej.reply(), id);
                    return rej.code() >= 500 ? Outcome.PARKED : Outcome.RETRY;
                }
            } catch (CleanupException | IOException | RuntimeException e) {
                sub.abort();
                if (e instanceof QueueFileException q) {
                    log.warning("uid=%d: unexpected or malformed record in maildrop file %s: %s", uid, id, q.getMessage());
                    return remove(file);
                }
                log.warning("%s: uid=%d: %s; maildrop file %s kept", sub.queueId(), uid, e.getMessage(), id);
                return Outcome.RETRY;
            }
        } catch (CleanupException e) {
            log.warning("uid=%d: maildrop file %s: %s", uid, id, e.getMessage());
            return Outcome.RETRY;
        } catch (IOException e) {
            log.warning("%s: %s", file, e.getMessage());
            return Outcome.RETRY;
        }
        Outcome removed = remove(file);
        return removed == Outcome.REMOVED ? Outcome.QUEUED : removed;
    }

    /** DEL_REQ_FLAG_RECORD: sendmail -v, a report of the first delivery attempt; cleanup keeps it. */
    static final int RECORD_FLAG = 1024;

    /** DEL_REQ_FLAG_MTA_VRFY | DEL_REQ_FLAG_USR_VRFY: verify only, deliver nothing. */
    static final int VERIFY_FLAGS = 256 | 512;

    /**
     * trace_flags of the file (0 when absent or unreadable). sendmail -v's record flag (1024)
     * alone still means delivery: it goes into the queue file, and qmgr sends the report.
     */
    static int traceFlags(org.posthorn.queue.Envelope env) {
        String f = env.attribute("trace_flags");
        try {
            return f == null ? 0 : Integer.parseInt(f.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Outcome remove(Path file) {
        try {
            Files.deleteIfExists(file);
            return Outcome.REMOVED;
        } catch (IOException e) {
            log.warning("remove %s: %s", file, e.getMessage());
            return Outcome.PARKED; // queued but not removable: do not queue it again and again
        }
    }

    /** The cleanup envelope from postdrop's records: S, T, F, V, A encoding, A ret_flags, A envelope_id. */
    static Envelope envelope(org.posthorn.queue.Envelope env) {
        String body = switch (String.valueOf(env.attribute("encoding"))) {
            case "8bit" -> "8BITMIME";
            case "7bit" -> "7BIT";
            default -> null;
        };
        String ret = switch (String.valueOf(env.attribute("ret_flags"))) {
            case "1" -> "FULL";
            case "2" -> "HDRS";
            default -> null;
        };
        Record verp = env.first(RecordType.VERP);
        return new Envelope(env.sender(), env.arrivalTime(), -1, body, false, ret, env.attribute("envelope_id"),
                env.fullName(), verp == null ? null : verp.text(), traceFlags(env) & RECORD_FLAG);
    }

    /** A local submission: no client and, as Postfix's pickup, no protocol (no protocol_name record, no proto= log). */
    static Origin origin() {
        return new Origin(null, null, -1, null, null, null, null, null, null, -1);
    }

    /** notify_flags bits (NEVER 1, SUCCESS 2, FAILURE 4, DELAY 8) as RFC 3461 keywords. */
    static Set<Recipient.Notify> notify(int flags) {
        Set<Recipient.Notify> out = EnumSet.noneOf(Recipient.Notify.class);
        if ((flags & 1) != 0) out.add(Recipient.Notify.NEVER);
        if ((flags & 2) != 0) out.add(Recipient.Notify.SUCCESS);
        if ((flags & 4) != 0) out.add(Recipient.Notify.FAILURE);
        if ((flags & 8) != 0) out.add(Recipient.Notify.DELAY);
        return out;
    }
}
