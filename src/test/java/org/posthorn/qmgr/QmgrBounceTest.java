package org.posthorn.qmgr;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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

    /** The queue files with this ID in any queue directory. */
    private static List<Path> find(QmgrFixture f, String id) throws Exception {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(f.queue.root())) {
            s.filter(p -> p.getFileName().toString().equals(id) && Files.isRegularFile(p)).forEach(out::add);
        }
        return out;
    }
}
