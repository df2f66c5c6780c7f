package org.posthorn.qmgr;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.bounce.BounceDaemon;
import org.posthorn.bounce.BounceLogs;
import org.posthorn.cleanup.CleanupDaemon;
import org.posthorn.config.Config;
import org.posthorn.error.ErrorService;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.RecordType;
import org.posthorn.queue.QueueName;

/** End to end: qmgr, the error agent, bounce(8) and cleanup in one temp queue. */
class QmgrBounceTest {
    @TempDir
    Path dir;

    @Test
    void messageToErrorTransportBecomesANoticeAndLeavesTheQueue() throws Exception {
        try (QmgrFixture f = new QmgrFixture(dir)) {
            f.params.put("myhostname", "mx.example.test");
            f.params.put("myorigin", "mx.example.test");
            f.params.put("mydestination", "");
            f.routes.put("nosuch.test", "error:5.1.1 no such user");
            f.queue.check();
            Config config = Config.of(dir, f.params);
            CleanupDaemon cleanup = new CleanupDaemon(config, f.queue, Log.of(f.syslogName, "cleanup"));
            f.bounce = new BounceDaemon(config, new BounceLogs(f.queue), () -> cleanup, Log.of(f.syslogName, "bounce"),
                    Clock.systemUTC(), ZoneId.systemDefault());
            f.create().register("error", ErrorService.forService("error"), 0, f.agentLog("error"));
            String id = f.message("alice@sender.test", "bob@nosuch.test");
            f.start();
            f.idle();

            assertThat(f.log.lines).anyMatch(l -> l.contains("/error: " + id + ": to=<bob@nosuch.test>, relay=none")
                    && l.endsWith("dsn=5.1.1, status=bounced (no such user)"));
            String line = f.log.matching(id + ": sender non-delivery notification: ").getFirst();
            String noticeId = line.substring(line.lastIndexOf(' ') + 1);
            assertThat(f.log.lines).anyMatch(l -> l.endsWith("/qmgr: " + id + ": removed"));
            assertThat(find(f, id)).isEmpty();
            assertThat(f.queue.path(QueueName.BOUNCE, id)).doesNotExist();

            List<Path> notice = find(f, noticeId);
            assertThat(notice).hasSize(1);
            try (QueueFileReader r = QueueFileReader.open(notice.getFirst());
                 InputStream in = r.contentStream("\n")) {
                assertThat(r.envelope().sender()).isEmpty();
                assertThat(r.envelope().recipients()).anyMatch(x -> x.address().equals("alice@sender.test"));
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(text).contains("Subject: Undelivered Mail Returned to Sender\n")
                        .contains("From: Mail Delivery System <MAILER-DAEMON@mx.example.test>\n")
                        .contains("X-Postfix-Queue-ID: " + id + "\n")
                        .contains("Final-Recipient: rfc822; bob@nosuch.test\n"
                                + "Action: failed\nStatus: 5.1.1\nDiagnostic-Code: X-Postfix; no such user\n")
                        .contains("Content-Type: message/rfc822\n")
                        .contains("Return-Path: <alice@sender.test>\nSubject: test\n\nhello\n");
            }
        }
    }

    /** qmgr with a real bounce daemon and cleanup in the fixture's queue. */
    private static void withBounce(QmgrFixture f) throws Exception {
        f.params.put("myhostname", "mx.example.test");
        f.params.put("myorigin", "mx.example.test");
        f.params.put("mydestination", "");
        f.queue.check();
        Config config = Config.of(f.dir, f.params);
        CleanupDaemon cleanup = new CleanupDaemon(config, f.queue, Log.of(f.syslogName, "cleanup"));
        f.bounce = new BounceDaemon(config, new BounceLogs(f.queue), () -> cleanup, Log.of(f.syslogName, "bounce"),
                Clock.systemUTC(), ZoneId.systemDefault());
    }

    /** A message in incoming/ with DSN NOTIFY bits and, when warn is not null, a W record. */
    private static String message(QmgrFixture f, int notify, Instant warn, String rcpt) throws Exception {
        try (QueueFileWriter w = QueueFileWriter.create(f.queue, QueueName.INCOMING, 2048)) {
            w.envelopeStart(Instant.now().minusSeconds(10), "local");
            if (warn != null) w.record(RecordType.WARN, String.format("%15d", warn.getEpochSecond())); // as Postfix's cleanup: fixed width
            w.sender("alice@sender.test");
            w.recipient(new QueueFileWriter.Rcpt("rfc822;" + rcpt, notify, rcpt, rcpt));
            w.beginContent();
            w.contentLine("Subject: test");
            w.contentLine("");
            w.contentLine("hello");
            w.endContent();
            return w.finish(QueueName.INCOMING);
        }
    }

    /** The text of the one notice logged as "ID: sender WORD notification: NEWID". */
    private static String notice(QmgrFixture f, String id, String word) throws Exception {
        String line = f.log.matching(id + ": sender " + word + " notification: ").getFirst();
        List<Path> files = find(f, line.substring(line.lastIndexOf(' ') + 1));
        assertThat(files).hasSize(1);
        try (QueueFileReader r = QueueFileReader.open(files.getFirst()); InputStream in = r.contentStream("\n")) {
            assertThat(r.envelope().sender()).isEmpty();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void notifySuccessGivesASuccessNoticeThroughTheTraceLog() throws Exception {
        try (QmgrFixture f = new QmgrFixture(dir)) {
            withBounce(f);
            f.create().register("smtp", TestAgent.sending(), 0, f.agentLog("smtp"));
            String id = message(f, 2, null, "bob@one.test");
            String plain = message(f, 0, null, "carl@one.test");
            f.start();
            f.idle();
            assertThat(notice(f, id, "delivery status")).contains("Subject: Successful Mail Delivery Report\n")
                    .contains("Final-Recipient: rfc822; bob@one.test\nOriginal-Recipient: rfc822;bob@one.test\n"
                            + "Action: delivered\nStatus: 2.0.0\n");
            assertThat(f.queue.path(QueueName.TRACE, id)).doesNotExist();
            assertThat(find(f, id)).isEmpty();
            // without NOTIFY=SUCCESS no trace log and no notice
            assertThat(f.log.matching(plain + ": sender")).isEmpty();
            assertThat(find(f, plain)).isEmpty();
        }
    }

    @Test
    void delayWarningWhenTheWarnTimeHasPassed() throws Exception {
        try (QmgrFixture f = new QmgrFixture(dir)) {
            f.params.put("delay_warning_time", "4h");
            withBounce(f);
            f.routes.put("later.test", "retry:4.4.1 try again later");
            f.create().register("retry", ErrorService.forService("retry"), 0, f.agentLog("error"));
            String id = message(f, 0, Instant.now().minusSeconds(5), "d@later.test");
            f.start();
            f.idle();
            assertThat(notice(f, id, "delay")).contains("Subject: Delayed Mail (still being retried)\n")
                    .contains("Your message could not be delivered for more than 4 hour(s).\n")
                    .contains("Action: delayed\nStatus: 4.4.1\nDiagnostic-Code: X-Postfix; try again later\n"
                            + "Will-Retry-Until: ");
            // the message waits in deferred/ with its defer log; the W record is spent (-1)
            Path still = f.queue.path(QueueName.DEFERRED, id);
            assertThat(still).exists();
            assertThat(f.queue.path(QueueName.DEFER, id)).exists();
            try (QueueFileReader r = QueueFileReader.open(still)) {
                assertThat(r.envelope().first(RecordType.WARN).text().strip()).isEqualTo("-1");
            }
        }
    }

    /** The queue files and logs with this ID in any directory of the queue. */
    private static List<Path> find(QmgrFixture f, String id) throws Exception {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(f.queue.root())) {
            s.filter(p -> p.getFileName().toString().equals(id) && Files.isRegularFile(p)).forEach(out::add);
        }
        return out;
    }
}
