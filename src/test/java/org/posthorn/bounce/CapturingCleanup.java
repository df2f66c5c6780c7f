package org.posthorn.bounce;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.CleanupException;
import org.posthorn.cleanup.Envelope;
import org.posthorn.cleanup.Origin;
import org.posthorn.cleanup.Recipient;

/** A Cleanup that keeps each finished notice in memory (lines joined with "\n"), for tests. */
public final class CapturingCleanup implements Cleanup {
    /** One queued notice. */
    public record Mail(String queueId, String sender, List<String> recipients, String text) {
    }

    public final List<Mail> queued = new CopyOnWriteArrayList<>();
    /** When set, finish refuses with this result. */
    public volatile Result refuse;
    private final AtomicInteger seq = new AtomicInteger(0xA000);

    @Override
    public Submission open(Envelope envelope, Origin origin) {
        String id = "NEW" + Integer.toHexString(seq.incrementAndGet()).toUpperCase();
        return new Submission() {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final List<String> rcpts = new ArrayList<>();

            @Override
            public String queueId() {
                return id;
            }

            @Override
            public void addRecipient(Recipient recipient) {
                rcpts.add(recipient.address());
            }

            @Override
            public void record(byte[] buffer, int offset, int length, boolean endOfLine) throws CleanupException {
                out.write(buffer, offset, length);
                if (endOfLine) out.write('\n');
            }

            @Override
            public Result finish() {
                if (refuse != null) return refuse;
                queued.add(new Mail(id, envelope.sender(), List.copyOf(rcpts), out.toString(StandardCharsets.UTF_8)));
                return new Result.Queued(id);
            }

            @Override
            public void abort() {
            }
        };
    }
}
