package org.posthorn.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.posthorn.address.Quote;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.CleanupException;
import org.posthorn.cleanup.Envelope;
import org.posthorn.cleanup.Origin;
import org.posthorn.cleanup.Recipient;
import org.posthorn.queue.QueueFileReader;

/**
 * Forwarding as local(8) does it: addresses that an alias or .forward file sends elsewhere
 * are collected per (sender, Delivered-To) and re-submitted through cleanup as one new queue
 * file each (each address its own ORCPT), with a {@code Delivered-To:} header in front of the
 * original message, before the original recipient is marked done. As in Postfix the
 * original recipient is reported once per new queue file: "forwarded as QUEUEID".
 */
final class Forwarder {
    /** A submission by the mail system itself: no client. */
    private static final Origin LOCAL_ORIGIN = new Origin(null, null, -1, null, null, null, null, null, null, -1);

    private record Key(String sender, String deliveredTo) {
    }

    private static final class Batch {
        final Set<String> addresses = new LinkedHashSet<>();
        final LocalDelivery.Outcome outcome;

        Batch(LocalDelivery.Outcome outcome) {
            this.outcome = outcome;
        }
    }

    private final Map<Key, Batch> batches = new LinkedHashMap<>();

    /** Adds an address; {@code report} makes the original recipient's report entry for a new batch. */
    void add(String sender, String deliveredTo, String address, Supplier<LocalDelivery.Outcome> report) {
        batches.computeIfAbsent(new Key(sender, deliveredTo), k -> new Batch(report.get())).addresses.add(address);
    }

    /** Submits every batch and fills in its outcome. */
    void flush(Cleanup cleanup, Path queueFile, boolean prependDelivered) {
        for (var e : batches.entrySet()) {
            Batch batch = e.getValue();
            try {
                batch.outcome.succeed("forwarded as " + submit(cleanup, e.getKey(), batch.addresses, queueFile, prependDelivered));
            } catch (DeliveryFailure f) {
                batch.outcome.fail(f);
            }
        }
        batches.clear();
    }

    private static String submit(Cleanup cleanup, Key key, Set<String> addresses, Path queueFile, boolean prependDelivered)
            throws DeliveryFailure {
        if (cleanup == null) throw new DeliveryFailure("4.3.0", "mail forwarding is unavailable: no cleanup service");
        Cleanup.Submission s;
        try {
            s = cleanup.open(Envelope.of(key.sender(), Instant.now()), LOCAL_ORIGIN);
        } catch (CleanupException ex) {
            throw new DeliveryFailure("4.3.0", "cannot forward mail: " + ex.getMessage(), ex);
        }
        try {
            for (String a : addresses) s.addRecipient(new Recipient(a, Set.of(), "rfc822;" + a));
            // Postfix writes this header in lower case, unlike the mailbox copy's
            if (prependDelivered) s.line("Delivered-To: " + Quote.quoteLocal(key.deliveredTo()).toLowerCase(Locale.ROOT));
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
