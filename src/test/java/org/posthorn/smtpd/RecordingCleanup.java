package org.posthorn.smtpd;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.CleanupException;
import org.posthorn.cleanup.Envelope;
import org.posthorn.cleanup.Origin;
import org.posthorn.cleanup.Recipient;

/**
 * A test double of the cleanup seam (the real cleanup daemon does not exist yet): each
 * message goes to a file in a temp directory, one line per record, so tests can read back
 * exactly what smtpd handed over. With {@code countOnly} nothing is kept but a byte count.
 */
public final class RecordingCleanup implements Cleanup {
    /** What one finished message looked like. */
    public record Message(String queueId, Envelope envelope, Origin origin, List<Recipient> recipients, Path file,
                          long bytes) {
        public String content() {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final Path dir;
    private final boolean countOnly;
    private final AtomicInteger seq = new AtomicInteger();
    public final List<Message> messages = new CopyOnWriteArrayList<>();
    public final AtomicInteger aborted = new AtomicInteger();
    /** What smtpd asked through SubmissionFlags: "hold", "discard", "filter:x", "redirect:x". */
    public final List<String> flags = new CopyOnWriteArrayList<>();

    private interface FlaggedSubmission extends Submission, org.posthorn.cleanup.SubmissionFlags {
    }

    public RecordingCleanup(Path dir, boolean countOnly) {
        this.dir = dir;
        this.countOnly = countOnly;
    }

    @Override
    public Submission open(Envelope envelope, Origin origin) throws CleanupException {
        String id = String.format("%05X%06X", seq.incrementAndGet(), 0xABCDEF);
        Path file = dir.resolve(id);
        try {
            OutputStream out = countOnly ? OutputStream.nullOutputStream() : Files.newOutputStream(file);
            return new FlaggedSubmission() {
                @Override
                public void hold() {
                    flags.add("hold");
                }

                @Override
                public void discard() {
                    flags.add("discard");
                }

                @Override
                public void filter(String nexthop) {
                    flags.add("filter:" + nexthop);
                }

                @Override
                public void redirect(String address) {
                    flags.add("redirect:" + address);
                }

                final List<Recipient> recipients = new CopyOnWriteArrayList<>();
                long bytes;
                boolean done;

                @Override
                public String queueId() {
                    return id;
                }

                @Override
                public void addRecipient(Recipient recipient) {
                    recipients.add(recipient);
                }

                @Override
                public void record(byte[] buffer, int offset, int length, boolean endOfLine) throws CleanupException {
                    try {
                        out.write(buffer, offset, length);
                        if (endOfLine) out.write('\n');
                        bytes += length + (endOfLine ? 1 : 0);
                    } catch (IOException e) {
                        throw new CleanupException("write " + file + ": " + e.getMessage(), e);
                    }
                }

                @Override
                public Result finish() {
                    done = true;
                    try {
                        out.close();
                    } catch (IOException e) {
                        return new Result.Rejected(451, "4.3.0", "Error: queue file write error");
                    }
                    messages.add(new Message(id, envelope, origin, List.copyOf(recipients), file, bytes));
                    return new Result.Queued(id);
                }

                @Override
                public void abort() {
                    if (done) return;
                    done = true;
                    aborted.incrementAndGet();
                    try {
                        out.close();
                        Files.deleteIfExists(file);
                    } catch (IOException ignored) {
                        // test double
                    }
                }
            };
        } catch (IOException e) {
            throw new CleanupException("create " + file + ": " + e.getMessage(), e);
        }
    }
}
