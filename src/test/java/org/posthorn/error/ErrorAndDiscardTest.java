package org.posthorn.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.discard.DiscardService;
import org.posthorn.qmgr.DeliveryRecipient;
import org.posthorn.qmgr.DeliveryReport;
import org.posthorn.qmgr.DeliveryRequest;
import org.posthorn.qmgr.DeliveryStatus;

/** error(8), retry and discard(8) report what Postfix 3.7.11 logged for the same next hops. */
class ErrorAndDiscardTest {
    @TempDir
    Path dir;

    private final List<String> reports = new CopyOnWriteArrayList<>();

    private DeliveryRequest request(String transport, String nexthop) {
        DeliveryReport report = new DeliveryReport() {
            @Override
            public void sent(DeliveryRecipient r, DeliveryStatus s) {
                reports.add("sent " + r.address() + " " + s.dsn() + " " + s.relay() + " (" + s.text() + ")");
            }

            @Override
            public void deferred(DeliveryRecipient r, DeliveryStatus s) {
                reports.add("deferred " + r.address() + " " + s.dsn() + " " + s.relay() + " (" + s.text() + ")");
            }

            @Override
            public void bounced(DeliveryRecipient r, DeliveryStatus s) {
                reports.add("bounced " + r.address() + " " + s.dsn() + " " + s.relay() + " (" + s.text() + ")");
            }
        };
        return new DeliveryRequest(transport, nexthop, "1DF1420F4DA", dir.resolve("x"), Instant.now(), Instant.now(),
                "alice@src.test", 10, null, null, Map.of(),
                List.of(new DeliveryRecipient("a@x.test", null, null, 0, 10), new DeliveryRecipient("b@x.test", null, null, 0, 40)),
                report);
    }

    @Test
    void errorBouncesWithTheNexthopText() throws Exception {
        ErrorService.forService("error").deliver(request("error", "5.1.1 custom bounce text"));
        ErrorService.forService("error").deliver(request("error", "mailbox full"));
        assertThat(reports).containsExactly(
                "bounced a@x.test 5.1.1 none (custom bounce text)", "bounced b@x.test 5.1.1 none (custom bounce text)",
                "bounced a@x.test 5.0.0 none (mailbox full)", "bounced b@x.test 5.0.0 none (mailbox full)");
    }

    @Test
    void retryDefers() throws Exception {
        ErrorService.forService("retry").deliver(request("retry", "try later please"));
        ErrorService.forService("retry").deliver(request("retry", "4.7.1 greylisted here"));
        assertThat(reports).containsExactly(
                "deferred a@x.test 4.0.0 none (try later please)", "deferred b@x.test 4.0.0 none (try later please)",
                "deferred a@x.test 4.7.1 none (greylisted here)", "deferred b@x.test 4.7.1 none (greylisted here)");
    }

    @Test
    void discardClaimsDelivery() throws Exception {
        new DiscardService().deliver(request("discard", "sunk"));
        assertThat(reports).containsExactly("sent a@x.test 2.0.0 none (sunk)", "sent b@x.test 2.0.0 none (sunk)");
        assertThat(Duration.ZERO).isZero();
    }
}
