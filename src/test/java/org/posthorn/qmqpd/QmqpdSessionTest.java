package org.posthorn.qmqpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.QueueWritingCleanup;
import org.posthorn.cleanup.Recipient;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueDirectory;

class QmqpdSessionTest {
    @TempDir
    Path tmp;
    QueueWritingCleanup cleanup;
    final List<String> log = new CopyOnWriteArrayList<>();
    final Map<String, String> params = new HashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        QueueDirectory queue = QueueDirectory.of(tmp);
        queue.check();
        cleanup = new QueueWritingCleanup(queue);
        params.put("qmqpd_authorized_clients", "127.0.0.0/8");
        params.put("qmqpd_error_delay", "0s");
        params.put("myhostname", "mx.example.org");
        Log.addSink((severity, tag, pid, text) -> {
            if (tag.endsWith("/qmqpd-test")) log.add(text);
        });
    }

    static String ns(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1).length + ":" + s + ",";
    }

    static String packet(String message, String sender, String... recipients) {
        StringBuilder body = new StringBuilder(ns(message)).append(ns(sender));
        for (String r : recipients) body.append(ns(r));
        return ns(body.toString());
    }

    private String talk(String input, String clientIp) {
        Config config = Config.of(tmp, params);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new QmqpdSession(QmqpdSettings.from(config), ClientList.of(config, "qmqpd_authorized_clients"), cleanup,
                Log.of("qmqpd-test"), Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC),
                new ByteArrayInputStream(input.getBytes(StandardCharsets.ISO_8859_1)), out,
                new InetSocketAddress(clientIp, 40000), new InetSocketAddress("127.0.0.1", 628)).run();
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void acceptsAPacketAndPrependsReceived() {
        String reply = talk(packet("From x\nSubject: hi\n\nbody", "list-@example.org", "a@x.test"), "127.0.0.1");
        assertThat(cleanup.seen).hasSize(1);
        QueueWritingCleanup.Seen s = cleanup.seen.getFirst();
        assertThat(reply).isEqualTo(ns("KOk: queued as " + s.queueId()));
        assertThat(s.envelope().sender()).isEqualTo("list-@example.org");
        assertThat(s.origin().protocol()).isEqualTo("QMQP");
        assertThat(s.recipients()).extracting(Recipient::address).containsExactly("a@x.test");
        assertThat(s.lines().get(0)).matches("Received: from \\S+ \\(\\S+ \\[127\\.0\\.0\\.1\\]\\)");
        assertThat(s.lines().get(1)).isEqualTo("\tby mx.example.org (Postfix) with QMQP id " + s.queueId());
        assertThat(s.lines().get(2)).isEqualTo("\tfor <a@x.test>; Fri, 15 Jan 2027 08:00:00 +0000 (Z)");
        assertThat(s.lines().subList(3, s.lines().size())).containsExactly("X-Mailbox-Line: From x", "Subject: hi", "", "body");
        assertThat(log).contains(s.queueId() + ": client=" + s.origin().clientName() + "[127.0.0.1]");
    }

    @Test
    void manyRecipientsAreNotListedAndVerpSenderIsDecoded() {
        talk(packet("Subject: x\n", "list-@example.org-@[]", "a@x", "b@y"), "127.0.0.1");
        QueueWritingCleanup.Seen s = cleanup.seen.getFirst();
        assertThat(s.envelope().sender()).isEqualTo("list@example.org");
        assertThat(s.lines().get(1)).isEqualTo("\tby mx.example.org (Postfix) with QMQP");
        assertThat(s.lines().get(2)).startsWith("\tid " + s.queueId() + "; ");
        assertThat(s.recipients()).hasSize(2);
    }

    @Test
    void unauthorizedClientGetsD() {
        String reply = talk(packet("x", "s@x", "r@y"), "10.1.2.3");
        assertThat(reply).isEqualTo(ns("DError: unknown[10.1.2.3] is not authorized to use this service"));
        assertThat(cleanup.seen).isEmpty();
    }

    @Test
    void defaultAuthorizesNobody() {
        params.remove("qmqpd_authorized_clients");
        assertThat(talk(packet("x", "s@x", "r@y"), "127.0.0.1")).matches("\\d+:DError: .* is not authorized to use this service,");
    }

    @Test
    void malformedPacketIsAnsweredAndLogged() {
        String reply = talk("20:3:abc;", "127.0.0.1");
        assertThat(reply).isEqualTo(ns("Dnetstring format error while receiving message content"));
        assertThat(log).anyMatch(l -> l.endsWith("[127.0.0.1]: netstring format error while receiving message content"));
        assertThat(cleanup.seen).isEmpty();
    }

    @Test
    void oversizedMessageAndLostConnection() {
        params.put("message_size_limit", "10");
        assertThat(talk(packet("x".repeat(11), "s@x", "r@y"), "127.0.0.1"))
                .isEqualTo(ns("Dnetstring length exceeds storage limit while receiving message content"));
        log.clear();
        params.put("message_size_limit", "1000");
        assertThat(talk("30:3:abc,1:s,", "127.0.0.1")).isEmpty();
        assertThat(log).anyMatch(l -> l.endsWith(": lost connection while receiving recipient address"));
    }

    @Test
    void noRecipientsAndCleanupRejection() {
        assertThat(talk(packet("x", "s@x"), "127.0.0.1")).isEqualTo(ns("DError: no recipients specified"));
        cleanup.rejectWith(new Cleanup.Result.Rejected(451, "4.3.0", "Error: queue file write error"));
        assertThat(talk(packet("x", "s@x", "r@y"), "127.0.0.1")).isEqualTo(ns("ZError: queue file write error"));
        params.put("soft_bounce", "yes");
        cleanup.rejectWith(new Cleanup.Result.Rejected(550, "5.7.1", "content rejected"));
        assertThat(talk(packet("x", "s@x", "r@y"), "127.0.0.1")).isEqualTo(ns("ZError: content rejected"));
    }
}
