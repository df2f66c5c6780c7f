package org.posthorn.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.CleanupException;
import org.posthorn.cleanup.Envelope;
import org.posthorn.cleanup.Origin;
import org.posthorn.cleanup.Recipient;
import org.posthorn.queue.QueueFileReader;

/**
 * Forwarding as local(8) does it: addresses that an alias or .forward file sends elsewhere
 * are collected per (sender, Delivered-To) and re-submitted through cleanup as one new queue
 * file each, with a {@code Delivered-To:} header in front of the original message, before
 * the original recipient is marked done. Each forwarded address is then reported as
 * "forwarded as QUEUEID".
 */
final class Forwarder {
    /** One address to forward and the report entry to fill in. */
    record Pending(String address, String orcpt, LocalDelivery.Outcome outcome) {
    }

    private record Key(String sender, String deliveredTo) {
    }

    /** A submission by the mail system itself: no client. */
    private static final Origin LOCAL_ORIGIN = new Origin(null, null, -1, null, null, null, null, null, null, -1);

    private final Map<Key, List<Pending>> batches = new LinkedHashMap<>();

    void add(String sender, String deliveredTo, Pending pending) {
        batches.computeIfAbsent(new Key(sender, deliveredTo), k -> new ArrayList<>()).add(pending);
    }

    boolean isEmpty() {
        return batches.isEmpty();
    }

    /** Submits every batch and fills in each pending outcome. */
    void flush(Cleanup cleanup, Path queueFile, boolean prependDelivered) {
        for (var e : batches.entrySet()) {
            List<Pending> list = e.getValue();
            String status;
            try {
                status = submit(cleanup, e.getKey(), list, queueFile, prependDelivered);
            } catch (DeliveryFailure f) {
                for (Pending p : list) p.outcome().fail(f);
                continue;
            }
            for (Pending p : list) p.outcome().succeed("forwarded as " + status);
        }
        batches.clear();
    }

    private static String submit(Cleanup cleanup, Key key, List<Pending> list, Path queueFile, boolean prependDelivered)
            throws DeliveryFailure {
        if (cleanup == null) throw new DeliveryFailure("4.3.0", "mail forwarding is unavailable: no cleanup service");
        Cleanup.Submission s;
        try {
            s = cleanup.open(Envelope.of(key.sender(), Instant.now()), LOCAL_ORIGIN);
        } catch (CleanupException ex) {
            throw new DeliveryFailure("4.3.0", "cannot forward mail: " + ex.getMessage(), ex);
        }
        try {
            for (Pending p : list) s.addRecipient(new Recipient(p.address(), java.util.Set.of(), p.orcpt()));
            if (prependDelivered) s.line("Delivered-To: " + org.posthorn.address.Quote.quoteLocal(key.deliveredTo()));
            try (QueueFileReader reader = QueueFileReader.open(queueFile)) {
                reader.readContent((data, lineEnd) -> {
                    try {
                        s.record(data, 0, data.length, lineEnd);
                    } catch (CleanupException ex) {
                        throw new IOException(ex.getMessage(), ex);
                    }
                });
            }
            Cleanup.Result r = s.finish();
            return switch (r) {
                case Cleanup.Result.Queued q -> q.queueId();
                case Cleanup.Result.Rejected rej -> throw new DeliveryFailure(rej.code() >= 500 ? rej.dsn() : "4.3.0",
                        "cannot forward mail: " + rej.reply());
            };
        } catch (CleanupException | IOException ex) {
            s.abort();
            throw new DeliveryFailure("4.3.0", "cannot forward mail: " + ex.getMessage(), ex);
        } catch (DeliveryFailure | RuntimeException ex) {
            s.abort();
            throw ex;
        }
    }
}
