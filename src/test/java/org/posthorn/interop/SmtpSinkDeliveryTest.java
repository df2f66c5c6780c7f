package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.interop.SmtpFixture.Message;
import org.posthorn.interop.SmtpFixture.RecordingReport;
import org.posthorn.interop.SmtpFixture.SmtpSink;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.smtp.SmtpService;

/** smtp(8) delivering into Postfix's smtp-sink: success, 4xx, 5xx, lost connections, timeouts, extensions. */
@Tag("interop")
class SmtpSinkDeliveryTest {
    private static final String CONTENT = "Subject: sink test\nFrom: a@example.org\n\nfirst line\n.leading dot\n.\n"
            + "y".repeat(2500) + "\nlast\n";

    @TempDir
    Path tmp;
    int port;

    @BeforeEach
    void port() throws Exception {
        port = SmtpFixture.freePort();
    }

    private SmtpSink sink(String... options) throws Exception {
        return new SmtpSink(tmp.resolve("dumps"), "127.0.0.1", port, options);
    }

    private SmtpService smtp(Map<String, String> settings) {
        return SmtpFixture.start(false, tmp, settings);
    }

    private Message message(String... rcpts) throws Exception {
        return SmtpFixture.message(tmp.resolve("queue"), "sender@example.org", List.of(rcpts), CONTENT);
    }

    private String nexthop() {
        return "[127.0.0.1]:" + port;
    }

    @Test
    void deliversWithPipeliningFoldingAndDotStuffing() throws Exception {
        try (SmtpSink sink = sink()) {
            RecordingReport r = SmtpFixture.deliver(smtp(Map.of()), nexthop(), message("one@example.net", "two@example.net"));
            assertThat(r.outcomes).hasSize(2).allSatisfy(o -> {
                assertThat(o.kind()).isEqualTo("sent");
                assertThat(o.status().dsn()).isEqualTo("2.0.0");
                assertThat(o.status().relay()).isEqualTo("127.0.0.1[127.0.0.1]:" + port);
                assertThat(o.status().text()).isEqualTo("250 2.0.0 Ok");
                assertThat(o.status().remoteMta()).isEqualTo("dns; 127.0.0.1");
                assertThat(o.status().connUse()).isZero();
            });
            List<String> dumps = sink.awaitMessages(1);
            assertThat(dumps).hasSize(1);
            String dump = dumps.getFirst();
            assertThat(dump).contains("X-Mail-Args: <sender@example.org>\n")
                    .contains("X-Rcpt-Args: <one@example.net> ORCPT=rfc822;one@example.net\n")
                    .contains("X-Rcpt-Args: <two@example.net> ORCPT=rfc822;two@example.net\n")
                    .contains("X-Helo-Args: posthorn.test")
                    .contains("Subject: sink test\n")
                    // the server removed the doubled dots we sent: lines starting with "." arrive intact
                    .contains("\n.leading dot\n.\n")
                    // 2500 bytes folded at 998 with CRLF SPACE
                    .contains("\n" + "y".repeat(998) + "\n " + "y".repeat(997) + "\n " + "y".repeat(505) + "\nlast\n");
        }
    }

    @Test
    void deliversWithoutPipelining() throws Exception {
        try (SmtpSink sink = sink("-p")) {
            RecordingReport r = SmtpFixture.deliver(smtp(Map.of()), nexthop(), message("one@example.net", "two@example.net"));
            assertThat(r.outcomes).extracting(SmtpFixture.Outcome::kind).containsExactly("sent", "sent");
            assertThat(sink.awaitMessages(1)).hasSize(1);
        }
    }

    @Test
    void softRejectOfRcptDefers() throws Exception {
        try (SmtpSink sink = sink("-r", "RCPT")) {
            RecordingReport r = SmtpFixture.deliver(smtp(Map.of()), nexthop(), message("one@example.net"));
            SmtpFixture.Outcome o = r.of("one@example.net");
            assertThat(o.kind()).isEqualTo("deferred");
            assertThat(o.status().dsn()).isEqualTo("4.3.0");
            assertThat(o.status().text()).isEqualTo("host 127.0.0.1[127.0.0.1] said: 450 4.3.0 Error: command failed"
                    + " (in reply to RCPT TO command)");
            assertThat(o.status().diagnostic()).isEqualTo("smtp; 450 4.3.0 Error: command failed");
            assertThat(sink.messages()).isEmpty();
        }
    }

    @Test
    void hardRejectsBounceWithTheCommandNamed() throws Exception {
        for (String[] c : new String[][] {{"RCPT", "RCPT TO"}, {"MAIL", "MAIL FROM"}, {"DATA", "DATA"}, {".", "end of DATA"}}) {
            try (SmtpSink sink = sink("-f", c[0])) {
                RecordingReport r = SmtpFixture.deliver(smtp(Map.of()), nexthop(), message("one@example.net"));
                SmtpFixture.Outcome o = r.of("one@example.net");
                assertThat(o.kind()).as(c[0]).isEqualTo("bounced");
                assertThat(o.status().dsn()).isEqualTo("5.3.0");
                assertThat(o.status().text()).isEqualTo("host 127.0.0.1[127.0.0.1] said: 500 5.3.0 Error: command failed"
                        + " (in reply to " + c[1] + " command)");
            }
            port = SmtpFixture.freePort();
        }
    }

    @Test
    void lostConnectionDefers() throws Exception {
        try (SmtpSink sink = sink("-q", "DATA")) {
            RecordingReport r = SmtpFixture.deliver(smtp(Map.of()), nexthop(), message("one@example.net"));
            SmtpFixture.Outcome o = r.of("one@example.net");
            assertThat(o.kind()).isEqualTo("deferred");
            assertThat(o.status().dsn()).isEqualTo("4.4.2");
            assertThat(o.status().text()).isEqualTo("lost connection with 127.0.0.1[127.0.0.1] while sending DATA command");
        }
    }

    @Test
    void timeoutDefers() throws Exception {
        try (SmtpSink sink = sink("-p", "-W", "rcpt:4")) {
            long start = System.nanoTime();
            RecordingReport r = SmtpFixture.deliver(smtp(Map.of("smtp_rcpt_timeout", "1s")), nexthop(),
                    message("one@example.net"));
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3500);
            SmtpFixture.Outcome o = r.of("one@example.net");
            assertThat(o.kind()).isEqualTo("deferred");
            assertThat(o.status().dsn()).isEqualTo("4.4.2");
            assertThat(o.status().text()).isEqualTo("conversation with 127.0.0.1[127.0.0.1] timed out while sending RCPT TO");
        }
    }

    @Test
    void connectionRefusedDefersAndIsLogged() throws Exception {
        RecordingReport r = SmtpFixture.deliver(smtp(Map.of()), nexthop(), message("one@example.net"));
        SmtpFixture.Outcome o = r.of("one@example.net");
        assertThat(o.kind()).isEqualTo("deferred");
        assertThat(o.status().dsn()).isEqualTo("4.4.1");
        assertThat(o.status().relay()).isEqualTo("none");
        assertThat(o.status().text()).isEqualTo("connect to 127.0.0.1[127.0.0.1]:" + port + ": Connection refused");
        assertThat(SmtpFixture.log()).contains("connect to 127.0.0.1[127.0.0.1]:" + port + ": Connection refused");
    }

    @Test
    void dsnParametersArePassed() throws Exception {
        try (SmtpSink sink = sink()) {
            Message m = SmtpFixture.message(tmp.resolve("queue"), "sender@example.org",
                    List.of(new QueueFileWriter.Rcpt("rfc822;Orig+1@example.net", 2 | 8, "orig@example.net", "one@example.net"),
                            new QueueFileWriter.Rcpt(null, 1, "two@example.net", "two@example.net")),
                    CONTENT, Map.of(), 0);
            RecordingReport r = SmtpFixture.deliver(smtp(Map.of()), nexthop(), m, "HDRS", "env id=1");
            assertThat(r.outcomes).extracting(SmtpFixture.Outcome::kind).containsExactly("sent", "sent");
            String dump = sink.awaitMessages(1).getFirst();
            assertThat(dump).contains(" RET=HDRS").contains(" ENVID=env+20id+3D1")
                    .contains("X-Rcpt-Args: <one@example.net> ORCPT=rfc822;Orig+2B1@example.net NOTIFY=SUCCESS,FAILURE")
                    .contains("X-Rcpt-Args: <two@example.net> ORCPT=rfc822;two@example.net NOTIFY=NEVER");
        }
    }

    @Test
    void dsnParametersAreNotSentWhenNotOffered() throws Exception {
        try (SmtpSink sink = sink("-N")) {
            Message m = SmtpFixture.message(tmp.resolve("queue"), "sender@example.org",
                    List.of(new QueueFileWriter.Rcpt("rfc822;orig@example.net", 2, "orig@example.net", "one@example.net")),
                    CONTENT, Map.of(), 0);
            SmtpFixture.deliver(smtp(Map.of()), nexthop(), m, "FULL", "x");
            String dump = sink.awaitMessages(1).getFirst();
            assertThat(dump).contains("X-Rcpt-Args: <one@example.net>\n").doesNotContain("RET=").doesNotContain("NOTIFY");
        }
    }

    @Test
    void eightBitBodyIsAnnouncedOrDowngraded() throws Exception {
        String content = "Subject: 8bit\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
                + "Content-Transfer-Encoding: 8bit\n\nGrüße\n";
        try (SmtpSink sink = sink()) {
            Message m = SmtpFixture.message(tmp.resolve("queue"), "s@example.org",
                    List.of(QueueFileWriter.Rcpt.of("one@example.net")), content, Map.of("encoding", "8bit"), 0);
            SmtpFixture.deliver(smtp(Map.of()), nexthop(), m);
            String dump = sink.awaitMessages(1).getFirst();
            assertThat(dump).contains(" BODY=8BITMIME").contains("Content-Transfer-Encoding: 8bit")
                    .contains(new String("Grüße".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        port = SmtpFixture.freePort();
        try (SmtpSink sink = new SmtpSink(tmp.resolve("dumps2"), "127.0.0.1", port, "-8")) {
            Message m = SmtpFixture.message(tmp.resolve("queue"), "s@example.org",
                    List.of(QueueFileWriter.Rcpt.of("one@example.net")), content, Map.of("encoding", "8bit"), 0);
            RecordingReport r = SmtpFixture.deliver(smtp(Map.of()), nexthop(), m);
            assertThat(r.of("one@example.net").kind()).isEqualTo("sent");
            String dump = sink.awaitMessages(1).getFirst();
            assertThat(dump).doesNotContain("BODY=").doesNotContain("SIZE=")
                    .contains("Content-Transfer-Encoding: quoted-printable\n\nGr=C3=BC=C3=9Fe\n");
        }
    }

    @Test
    void connectionIsReusedAndCountLimitRespected() throws Exception {
        try (SmtpSink sink = sink()) {
            SmtpService agent = smtp(Map.of());
            assertThat(SmtpFixture.deliver(agent, nexthop(), message("a@example.net")).of("a@example.net").status().connUse())
                    .isZero();
            assertThat(SmtpFixture.deliver(agent, nexthop(), message("b@example.net")).of("b@example.net").status().connUse())
                    .isEqualTo(2);
            assertThat(SmtpFixture.deliver(agent, nexthop(), message("c@example.net")).of("c@example.net").status().connUse())
                    .isEqualTo(3);
            agent.stop();

            SmtpService limited = smtp(Map.of("smtp_connection_reuse_count_limit", "1"));
            assertThat(SmtpFixture.deliver(limited, nexthop(), message("d@example.net")).of("d@example.net").status().connUse())
                    .isZero();
            assertThat(SmtpFixture.deliver(limited, nexthop(), message("e@example.net")).of("e@example.net").status().connUse())
                    .isZero();
            limited.stop();

            SmtpService uncached = smtp(Map.of("smtp_connection_cache_on_demand", "no"));
            SmtpFixture.deliver(uncached, nexthop(), message("f@example.net"));
            assertThat(SmtpFixture.deliver(uncached, nexthop(), message("g@example.net")).of("g@example.net").status().connUse())
                    .isZero();
            assertThat(sink.awaitMessages(7)).hasSize(7);
        }
    }

    @Test
    void cachedConnectionExpiresAfterTheIdleTimeLimit() throws Exception {
        try (SmtpSink sink = sink()) {
            SmtpService agent = smtp(Map.of("smtp_connection_cache_time_limit", "1s"));
            SmtpFixture.deliver(agent, nexthop(), message("a@example.net"));
            Thread.sleep(1600);
            assertThat(SmtpFixture.deliver(agent, nexthop(), message("b@example.net")).of("b@example.net").status().connUse())
                    .isZero();
            agent.stop();
        }
    }
}
