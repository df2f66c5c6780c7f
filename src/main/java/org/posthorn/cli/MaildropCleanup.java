package org.posthorn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.CleanupException;
import org.posthorn.cleanup.Envelope;
import org.posthorn.cleanup.Origin;
import org.posthorn.cleanup.Recipient;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.RecordType;

/**
 * The {@link Cleanup} seam for {@code sendmail -bs}: as Postfix's stand-alone smtpd posts
 * through postdrop, each message becomes a maildrop file (the records postdrop accepts) that
 * pickup(8) hands to cleanup; the queue ID in the 250 reply is the maildrop file's.
 */
final class MaildropCleanup implements Cleanup {
    private final QueueDirectory queue;
    private final int lineLimit;

    MaildropCleanup(QueueDirectory queue, int lineLimit) {
        this.queue = queue;
        this.lineLimit = lineLimit;
    }

    @Override
    public Submission open(Envelope envelope, Origin origin) throws CleanupException {
        QueueFileWriter w;
        try {
            w = QueueFileWriter.createMaildrop(queue, lineLimit);
        } catch (IOException e) {
            throw new CleanupException("unable to create a file in maildrop: " + e.getMessage(), e);
        }
        MaildropSubmission s = new MaildropSubmission(w);
        s.io(() -> {
            w.time(envelope.arrival() != null ? envelope.arrival() : Instant.now());
            if (envelope.envid() != null) w.record(RecordType.ATTR, "envelope_id=" + envelope.envid());
            w.record(RecordType.ATTR, "rewrite_context=local");
            w.record(RecordType.FROM, envelope.sender());
        });
        return s;
    }

    /** One maildrop file being written. */
    private final class MaildropSubmission implements Submission {
        private final QueueFileWriter w;
        private boolean content;
        private boolean done;

        MaildropSubmission(QueueFileWriter w) {
            this.w = w;
        }

        /** An I/O step; a failure drops the file. */
        interface Step {
            void run() throws IOException;
        }

        void io(Step step) throws CleanupException {
            try {
                step.run();
            } catch (IOException e) {
                abort();
                throw new CleanupException("maildrop file write error: " + e.getMessage(), e);
            }
        }

        @Override
        public String queueId() {
            return w.queueId();
        }

        @Override
        public void addRecipient(Recipient r) throws CleanupException {
            io(() -> {
                int notify = 0;
                for (Recipient.Notify n : r.dsnNotify()) {
                    notify |= switch (n) {
                        case NEVER -> 1;
                        case SUCCESS -> 2;
                        case FAILURE -> 4;
                        case DELAY -> 8;
                    };
                }
                if (notify != 0) w.record(RecordType.ATTR, "notify_flags=" + notify);
                if (r.orcpt() != null) w.record(RecordType.ATTR, "dsn_orig_rcpt=" + r.orcpt());
                w.record(RecordType.RCPT, r.address());
            });
        }

        @Override
        public void record(byte[] buffer, int offset, int length, boolean endOfLine) throws CleanupException {
            io(() -> {
                if (!content) {
                    w.beginContent();
                    content = true;
                }
                if (endOfLine) {
                    w.contentLine(buffer, offset, length);
                } else {
                    w.contentFragment(buffer, offset, length);
                }
            });
        }

        @Override
        public Result finish() {
            try {
                if (!content) w.beginContent();
                w.endContent();
                String id = w.finish();
                done = true;
                Sendmail.wakePickup(queue.root());
                return new Result.Queued(id);
            } catch (IOException e) {
                abort();
                return new Result.Rejected(451, "4.3.0", "Error: queue file write error");
            }
        }

        @Override
        public void abort() {
            if (done) return;
            done = true;
            try {
                w.close();
                Files.deleteIfExists(w.path());
            } catch (IOException e) {
                // pickup removes stale maildrop files
            }
        }
    }
}
