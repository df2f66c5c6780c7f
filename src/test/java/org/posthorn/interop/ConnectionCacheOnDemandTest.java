package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * smtp_connection_cache_on_demand as in Postfix: a connection is kept only while qmgr has a
 * backlog for the destination. A lone message closes its connection (the next lone message
 * opens a new one: no conn_use); one destination with jobs waiting shows conn_use=2 and 3.
 */
@Tag("interop")
class ConnectionCacheOnDemandTest {
    @TempDir
    Path tmp;

    private static int count(String text, String part) {
        return DeliveryAcceptanceTest.count(text, part);
    }

    @Test
    void onlyABacklogKeepsTheConnection() throws Exception {
        int sinkPort = MasterServicesTest.freePort();
        try (SmtpFixture.SmtpSink sink = new SmtpFixture.SmtpSink(tmp.resolve("dumps"), "127.0.0.1", sinkPort);
             E2eInstance ours = new E2eInstance(tmp.resolve("ours"))) {
            ours.configure(List.of("relayhost = [127.0.0.1]:" + sinkPort,
                    // one delivery at a time, two recipients per delivery: a five-recipient message is a backlog
                    "initial_destination_concurrency = 1", "smtp_destination_concurrency_limit = 1",
                    "smtp_destination_recipient_limit = 2", "smtp_connection_cache_time_limit = 10s")).start();
            String sendmail = E2eInstance.bin("sendmail");
            for (String rcpt : List.of("one@example.net", "two@example.net")) {
                assertThat(ours.run("Subject: lone\n\nx\n", sendmail, "-f", "s@example.org", rcpt).status()).isZero();
                ours.awaitLog(20, l -> l.contains("to=<" + rcpt + ">"));
            }
            String log = ours.maillog();
            assertThat(log).contains("to=<one@example.net>, relay=127.0.0.1[127.0.0.1]:" + sinkPort + ", delay=")
                    .contains("to=<two@example.net>, relay=127.0.0.1[127.0.0.1]:" + sinkPort + ", delay=")
                    .doesNotContain("conn_use=");

            assertThat(ours.run("Subject: list\n\nx\n", sendmail, "-f", "s@example.org",
                    "a@example.net", "b@example.net", "c@example.net", "d@example.net", "e@example.net").status()).isZero();
            log = ours.awaitLog(20, l -> count(l, "status=sent") >= 7);
            assertThat(count(log, "status=sent")).as(log).isEqualTo(7);
            assertThat(log).contains(", conn_use=2, ").contains(", conn_use=3, ");
            assertThat(sink.awaitMessages(5)).hasSize(5); // one per transaction
        }
    }
}
