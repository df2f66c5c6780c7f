package org.posthorn.bounce;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.CleanupException;
import org.posthorn.cleanup.Envelope;
import org.posthorn.cleanup.Origin;
import org.posthorn.cleanup.Recipient;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.QueueName;

/**
 * bounce(8): turns a message's bounce, defer or trace log into a notice (new mail with the
 * null sender, written through cleanup) to the sender, plus the postmaster copies that
 * notify_classes asks for, and removes the log only once the sender's notice is queued.
 */
public final class BounceDaemon implements Bounce {
    /** DSN NOTIFY bits as Postfix stores them (notify_flags). */
    static final int NOTIFY_NEVER = 1;
    static final int NOTIFY_SUCCESS = 2;
    static final int NOTIFY_DELAY = 4;
    static final int NOTIFY_FAILURE = 8;

    private final BounceSettings settings;
    private final BounceLogs logs;
    private final Supplier<Cleanup> cleanup;
    private final Log log;
    private final Clock clock;
    private final NoticeWriter writer;

    /**
     * @param cleanup the cleanup seam; the supplier may throw IllegalStateException while
     *                no cleanup service runs, and then the logs are kept for a later try
     */
    public BounceDaemon(Config config, BounceLogs logs, Supplier<Cleanup> cleanup, Log log,
                        Clock clock, ZoneId zone) {
        this.settings = BounceSettings.of(config);
        this.logs = logs;
        this.cleanup = cleanup;
        this.log = log;
        this.clock = clock;
        this.writer = new NoticeWriter(settings, zone);
    }

    @Override
    public boolean flushBounced(Notice message) {
        return flush(message, QueueName.BOUNCE, NoticeKind.FAILURE, "failed", true);
    }

    @Override
    public boolean flushExpired(Notice message) {
        return flush(message, QueueName.DEFER, NoticeKind.FAILURE, "failed", true);
    }

    @Override
    public boolean warnDelayed(Notice message) {
        return flush(message, QueueName.DEFER, NoticeKind.DELAY, "delayed", false);
    }

    @Override
    public boolean flushTraced(Notice message) {
        return flush(message, QueueName.TRACE, NoticeKind.SUCCESS, null, true);
    }

    @Override
    public boolean flushReport(Notice message) {
        return flush(message, QueueName.TRACE, NoticeKind.REPORT, null, true);
    }

    /**
     * One notice from one log.
     *
     * @param action    the Action: every entry gets (expired deferrals become "failed"), or null to keep the log's
     * @param removeLog whether a queued notice consumes the log (a delay warning leaves it)
     */
    private boolean flush(Notice message, QueueName logName, NoticeKind kind, String action, boolean removeLog) {
        String id = message.queueId();
        try {
            List<BounceLogs.Entry> entries = new ArrayList<>();
            for (BounceLogs.Entry e : BounceLogReader.read(logs.path(logName, id), log)) {
                entries.add(action == null ? e : withAction(e, action));
            }
            if (!entries.isEmpty() && !notify(message, kind, entries)) return false;
            if (removeLog) logs.remove(logName, id);
            return true;
        } catch (IOException | RuntimeException | CleanupException e) {
            log.warning("%s: %s notice not sent: %s", id, kind.name, e.getMessage());
            return false;
        }
    }

    /** Sends the sender's notice and the postmaster's copy; false when the sender's could not be queued. */
    private boolean notify(Notice message, NoticeKind kind, List<BounceLogs.Entry> entries)
            throws IOException, CleanupException {
        String id = message.queueId();
        String sender = message.sender() == null ? "" : message.sender();
        String postmasterClass = switch (kind) {
            case FAILURE -> "bounce";
            case DELAY -> "delay";
            case SUCCESS, REPORT -> null;
        };
        String postmasterRecipient = kind == NoticeKind.DELAY ? settings.delayNoticeRecipient()
                : settings.bounceNoticeRecipient();
        if (sender.equalsIgnoreCase(settings.doubleBounceAddress())
                || sender.equalsIgnoreCase(settings.doubleBounceSender())) {
            // a postmaster notice could not be delivered: never a triple bounce
            log.warning("%s: undeliverable postmaster notification discarded", id);
            return true;
        }
        if (sender.isEmpty()) {
            // a notice itself failed: a double bounce, to the postmaster if notify_classes wants it
            if (kind == NoticeKind.SUCCESS || kind == NoticeKind.REPORT || !settings.notifyClasses().contains("2bounce")) return true;
            return send(message, kind, true, settings.twoBounceNoticeRecipient(), entries, "postmaster") != null;
        }
        List<BounceLogs.Entry> wanted = new ArrayList<>();
        int bit = switch (kind) {
            case FAILURE -> NOTIFY_FAILURE;
            case DELAY -> NOTIFY_DELAY;
            case SUCCESS -> NOTIFY_SUCCESS;
            case REPORT -> 0;
        };
        for (BounceLogs.Entry e : entries) {
            if (kind == NoticeKind.REPORT) {
                // the sender asked for the whole report (sendmail -v), not per recipient
                wanted.add(e);
                continue;
            }
            // RFC 3461: without NOTIFY the default is FAILURE (and DELAY at the MTA's choice); NEVER is none
            boolean asked = e.notifyFlags() == 0 ? kind != NoticeKind.SUCCESS : (e.notifyFlags() & bit) != 0;
            if (asked) wanted.add(e);
        }
        if (!wanted.isEmpty() && send(message, kind, false, sender, wanted, "sender") == null) return false;
        if (postmasterClass != null && settings.notifyClasses().contains(postmasterClass)) {
            // not critical: a failed postmaster copy does not repeat the sender's notice
            try {
                if (send(message, kind, true, postmasterRecipient, entries, "postmaster") == null) {
                    log.warning("%s: postmaster %s notification failed", id, kind.logWord);
                }
            } catch (IOException | CleanupException e) {
                log.warning("%s: postmaster %s notification failed: %s", id, kind.logWord, e.getMessage());
            }
        }
        return true;
    }

    /** Writes and queues one notice; its queue ID, or null when cleanup refused it. */
    private String send(Notice message, NoticeKind kind, boolean postmaster, String to, List<BounceLogs.Entry> entries,
                        String who) throws IOException, CleanupException {
        Cleanup c = cleanup.get();
        String envelopeSender = postmaster ? settings.doubleBounceAddress() : "";
        Path file = message.queueFile();
        try (QueueFileReader reader = QueueFileReader.open(file)) {
            org.posthorn.queue.Envelope env = reader.envelope();
            Instant now = clock.instant();
            long size = env.size() == null ? 0 : env.size().contentSize();
            boolean headersOnly = postmaster || kind != NoticeKind.FAILURE || "HDRS".equals(message.dsnRet())
                    || size > settings.bounceSizeLimit();
            boolean smtputf8 = env.size() != null && env.size().smtputf8Flags() != 0;
            NoticeWriter.Message m = new NoticeWriter.Message(message.queueId(), message.sender() == null ? ""
                    : message.sender(), env.arrivalTime(), message.dsnEnvid(), env.attribute("encoding"), smtputf8);
            Cleanup.Submission out = c.open(Envelope.of(envelopeSender, now), Origin.local());
            try {
                out.addRecipient(Recipient.of(to));
                writer.write(out, kind, postmaster, to, m, entries, headersOnly, reader, now);
            } catch (IOException | CleanupException | RuntimeException e) {
                out.abort();
                throw e;
            }
            Cleanup.Result r = out.finish();
            if (r instanceof Cleanup.Result.Queued q) {
                log.info("%s: %s %s notification: %s", message.queueId(), who, kind.logWord, q.queueId());
                return q.queueId();
            }
            log.warning("%s: %s %s notification refused: %s", message.queueId(), who, kind.logWord,
                    ((Cleanup.Result.Rejected) r).reply());
            return null;
        }
    }

    private static BounceLogs.Entry withAction(BounceLogs.Entry e, String action) {
        return new BounceLogs.Entry(e.recipient(), e.original(), e.offset(), e.dsnOrigRcpt(), e.notifyFlags(),
                e.status(), action, e.diagnostic(), e.remoteMta(), e.reason());
    }
}
