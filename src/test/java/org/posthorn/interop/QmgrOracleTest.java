package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.bounce.UnsentBounce;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.qmgr.DeliveryRecipient;
import org.posthorn.qmgr.DeliveryStatus;
import org.posthorn.qmgr.Qmgr;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueName;
import org.posthorn.rewrite.Resolution;
import org.posthorn.rewrite.ResolveFlags;
import org.posthorn.rewrite.RewriteContext;
import org.posthorn.rewrite.TrivialRewrite;

/**
 * Debian's mailq reads the queue our qmgr leaves behind: a deferred message in deferred/
 * with its defer log in defer/, the reason printed under the message as Postfix prints it.
 */
@Tag("interop")
class QmgrOracleTest {
    @TempDir
    Path dir;

    /** Every recipient goes to smtp:[127.0.0.1]:1. */
    static final class OneRoute implements TrivialRewrite {
        @Override
        public String rewrite(RewriteContext context, String address) {
            return address;
        }

        @Override
        public Resolution resolve(String sender, String address) {
            return new Resolution("smtp", "[127.0.0.1]:1", address, ResolveFlags.CLASS_DEFAULT);
        }

        @Override
        public Resolution resolveForVerify(String sender, String address) {
            return resolve(sender, address);
        }
    }

    @Test
    void postfixMailqShowsOurDeferralReason() throws Exception {
        Path spool = dir.resolve("spool");
        QueueDirectory queue = QueueDirectory.of(spool);
        queue.check();
        String id = QmgrInstanceTest.queueFile(queue, "alice@src.test", "h@dead.test", "i@dead.test");
        Config config = Config.of(dir, Map.of("queue_directory", spool.toString(), "syslog_name", "qmgr-oracle"));
        Qmgr qmgr = new Qmgr(config, queue, Log.of("qmgr-oracle", "qmgr"), OneRoute::new,
                () -> new UnsentBounce(Log.of("qmgr-oracle", "qmgr")), Clock.systemUTC(), Duration.ZERO);
        qmgr.register("smtp", request -> {
            for (DeliveryRecipient r : request.recipients()) {
                request.report().deferred(r, DeliveryStatus.of("4.4.1", "none",
                        "connect to 127.0.0.1[127.0.0.1]:1: Connection refused"));
            }
        }, 0, Log.of("qmgr-oracle", "smtp"));
        qmgr.start();
        try {
            assertThat(qmgr.awaitIdle(Duration.ofSeconds(20))).isTrue();
        } finally {
            qmgr.stop();
        }
        assertThat(queue.path(QueueName.DEFERRED, id)).exists();

        // Postfix's showq runs as mail_owner (postfix): hand it the queue and the way to it
        UserPrincipal postfix = spool.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postfix");
        try (var paths = Files.walk(spool)) {
            for (Path p : paths.toList()) Files.setOwner(p, postfix);
        }
        RealPostfix.worldSearchable(dir);
        Path etc = dir.resolve("etc");
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("main.cf"), "queue_directory = " + spool + "\ncompatibility_level = 3.6\n");
        PostcatOracle.Result r = PostcatOracle.run(List.of("postqueue", "-c", etc.toString(), "-p"));
        String out = r.text();
        assertThat(out).as("postqueue stderr: %s", r.err()).startsWith("-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n");
        assertThat(out).containsPattern("(?m)^" + id + " +\\d+ \\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d  alice@src.test$");
        assertThat(out).containsPattern("(?m)^ +\\(connect to 127.0.0.1\\[127.0.0.1\\]:1: Connection refused\\)\n +h@dead.test\n +i@dead.test$");
        assertThat(out).contains("-- 0 Kbytes in 1 Request.");
    }
}
