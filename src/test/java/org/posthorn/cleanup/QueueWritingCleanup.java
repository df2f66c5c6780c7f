package org.posthorn.cleanup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;

/**
 * A test stand-in for the cleanup daemon: writes each submission straight into incoming/
 * with {@link QueueFileWriter} (no header completion, no rewriting), or rejects every
 * message with a fixed reply when told to. Records what it was given for assertions.
 */
public final class QueueWritingCleanup implements Cleanup {
    /** What one finished submission carried. */
    public record Seen(String queueId, Envelope envelope, Origin origin, List<Recipient> recipients, List<String> lines) {
    }

    private final QueueDirectory queue;
    private volatile Result.Rejected reject;
    public final List<Seen> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    public QueueWritingCleanup(QueueDirectory queue) {
        this.queue = queue;
    }

    /** From now on finish() rejects with this reply (null: accept again). */
    public void rejectWith(Result.Rejected r) {
        this.reject = r;
    }

    @Override
    public Submission open(Envelope envelope, Origin origin) throws CleanupException {
        QueueFileWriter w;
        try {
            w = QueueFileWriter.create(queue, QueueName.INCOMING, 2048);
            w.envelopeStart(envelope.arrival(), "local");
            w.sender(envelope.sender());
        } catch (IOException e) {
            throw new CleanupException("queue file write error", e);
        }
        return new Submission() {
            final List<Recipient> recipients = new ArrayList<>();
            final List<String> lines = new ArrayList<>();
            final StringBuilder partial = new StringBuilder();
            boolean content;

            @Override
            public String queueId() {
                return w.queueId();
            }

            @Override
            public void addRecipient(Recipient r) throws CleanupException {
                recipients.add(r);
                try {
                    w.recipient(QueueFileWriter.Rcpt.of(r.address()));
                } catch (IOException e) {
                    throw new CleanupException("write", e);
                }
            }

            @Override
            public void record(byte[] b, int off, int len, boolean endOfLine) throws CleanupException {
                try {
                    if (!content) {
                        w.beginContent();
                        content = true;
                    }
                    if (endOfLine) w.contentLine(b, off, len);
                    else w.contentFragment(b, off, len);
                } catch (IOException e) {
                    throw new CleanupException("write", e);
                }
                partial.append(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
                if (endOfLine) {
                    lines.add(partial.toString());
                    partial.setLength(0);
                }
            }

            @Override
            public Result finish() {
                try {
                    if (reject != null) {
                        w.close();
                        return reject;
                    }
                    if (!content) w.beginContent();
                    w.endContent();
                    String id = w.finish();
                    seen.add(new Seen(id, envelope, origin, List.copyOf(recipients), List.copyOf(lines)));
                    return new Result.Queued(id);
                } catch (IOException e) {
                    return new Result.Rejected(451, "4.3.0", "Error: queue file write error");
                }
            }

            @Override
            public void abort() {
                try {
                    w.close();
                } catch (IOException ignored) {
                    // nothing left to clean
                }
            }
        };
    }
}
