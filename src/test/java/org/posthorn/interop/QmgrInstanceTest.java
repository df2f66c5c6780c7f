package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.master.PublicSocket;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;

/**
 * bin/postfix start with the qmgr, trivial-rewrite, error, retry, discard and bounce rows
 * of Postfix's master.cf; queue files placed in incoming/ as cleanup writes them. The
 * maillog must carry the lines Postfix 3.7.11 logged for the same transport table.
 */
@Tag("interop")
class QmgrInstanceTest {
    /** The delay fields of a delivery line. */
    private static final String DELAYS = ", delay=\\d+(\\.\\d+)?, delays=[\\d.]+/[\\d.]+/[\\d.]+/[\\d.]+, ";
    private static final String TAG = "[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d mx postfix/";

    @TempDir
    Path dir;
    private Path etc;

    @AfterEach
    void stop() throws Exception {
        if (etc != null && Files.exists(dir.resolve("spool/pid/master.pid"))) {
            PostfixCommandTest.run(List.of(PostfixCommandTest.HOME.resolve("bin/postfix").toString(), "-c", etc.toString(), "stop"), Map.of());
        }
    }

    /** A finished queue file in incoming/, as cleanup writes it. */
    static String queueFile(QueueDirectory queue, String sender, String... recipients) throws Exception {
        try (QueueFileWriter w = QueueFileWriter.create(queue, QueueName.INCOMING, 2048)) {
            w.envelopeStart(Instant.now(), "local");
            w.sender(sender);
            for (String r : recipients) w.recipient(QueueFileWriter.Rcpt.of(r));
            w.beginContent();
            w.contentLine("Subject: x");
            w.contentLine("");
            w.contentLine("hello");
            w.endContent();
            return w.finish();
        }
    }

    private String awaitLog(Pattern p) throws Exception {
        Path log = dir.resolve("maillog");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (p.matcher(text).find()) return text;
            Thread.sleep(100);
        }
        throw new AssertionError("no " + p + " in maillog:\n" + (Files.exists(log) ? Files.readString(log) : ""));
    }

    @Test
    void errorRetryAndDiscardThroughTheRealMaster() throws Exception {
        etc = dir.resolve("etc");
        Path transport = dir.resolve("transport");
        Files.writeString(transport, """
                err.test error:5.1.1 custom bounce text
                err2.test error:mailbox full
                retry.test retry:try later please
                retry2.test retry:4.7.1 greylisted here
                disc.test discard:sunk
                """);
        MasterServicesTest.writeMainCf(dir, "mydestination =", "transport_maps = texthash:" + transport,
                "default_transport = discard:defaultdiscard", "relay_domains =");
        Files.writeString(etc.resolve("master.cf"), String.join("\n",
                "qmgr      unix  n       -       n       300     1       qmgr",
                "rewrite   unix  -       -       n       -       -       trivial-rewrite",
                "bounce    unix  -       -       n       -       0       bounce",
                "defer     unix  -       -       n       -       0       bounce",
                "error     unix  -       -       n       -       -       error",
                "retry     unix  -       -       n       -       -       error",
                "discard   unix  -       -       n       -       -       discard", ""));
        QueueDirectory queue = QueueDirectory.of(Config.load(etc));
        queue.check();
        String mixed = queueFile(queue, "alice@src.test", "a@err.test", "b@err2.test", "d@retry.test", "e@retry2.test",
                "f@disc.test", "j@other.test");
        String sunk = queueFile(queue, "", "n@disc.test");

        PostfixCommandTest.Result start = PostfixCommandTest.run(
                List.of(PostfixCommandTest.HOME.resolve("bin/postfix").toString(), "-c", etc.toString(), "start"), Map.of());
        assertThat(start.status()).as(start.err()).isZero();

        String log = awaitLog(Pattern.compile(sunk + ": removed"));
        assertThat(log).containsPattern(TAG + "qmgr\\[\\d+\\]: " + sunk + ": from=<>, size=\\d+, nrcpt=1 \\(queue active\\)");
        assertThat(log).containsPattern(TAG + "discard\\[\\d+\\]: " + sunk + ": to=<n@disc.test>, relay=none" + DELAYS
                + "dsn=2.0.0, status=sent \\(sunk\\)");

        log = awaitLog(Pattern.compile(mixed + ": bounce notice not sent"));
        assertThat(log).containsPattern(TAG + "qmgr\\[\\d+\\]: " + mixed + ": from=<alice@src.test>, size=\\d+, nrcpt=6 \\(queue active\\)");
        assertThat(log).containsPattern(TAG + "error\\[\\d+\\]: " + mixed + ": to=<a@err.test>, relay=none" + DELAYS
                + "dsn=5.1.1, status=bounced \\(custom bounce text\\)");
        assertThat(log).containsPattern(TAG + "error\\[\\d+\\]: " + mixed + ": to=<b@err2.test>, relay=none" + DELAYS
                + "dsn=5.0.0, status=bounced \\(mailbox full\\)");
        assertThat(log).containsPattern(TAG + "error\\[\\d+\\]: " + mixed + ": to=<d@retry.test>, relay=none" + DELAYS
                + "dsn=4.0.0, status=deferred \\(try later please\\)");
        assertThat(log).containsPattern(TAG + "error\\[\\d+\\]: " + mixed + ": to=<e@retry2.test>, relay=none" + DELAYS
                + "dsn=4.7.1, status=deferred \\(greylisted here\\)");
        assertThat(log).containsPattern(TAG + "discard\\[\\d+\\]: " + mixed + ": to=<f@disc.test>, relay=none" + DELAYS
                + "dsn=2.0.0, status=sent \\(sunk\\)");
        assertThat(log).containsPattern(TAG + "discard\\[\\d+\\]: " + mixed + ": to=<j@other.test>, relay=none" + DELAYS
                + "dsn=2.0.0, status=sent \\(defaultdiscard\\)");
        assertThat(log).containsPattern(TAG + "bounce\\[\\d+\\]: warning: " + mixed + ": bounce notice not sent: ");

        // the message waits in deferred/ with its logs; a flush retries it at once
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(queue.path(QueueName.DEFERRED, mixed)) && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(queue.path(QueueName.DEFERRED, mixed)).exists();
        assertThat(Files.readString(queue.path(QueueName.DEFER, mixed))).contains("reason=greylisted here\n");
        assertThat(Files.readString(queue.path(QueueName.BOUNCE, mixed))).contains("reason=custom bounce text\n");
        int before = count(Files.readString(dir.resolve("maillog")), mixed + ": from=<alice@src.test>, size=");
        assertThat(PublicSocket.trigger(dir.resolve("spool"), "qmgr", PublicSocket.FLUSH_DEFERRED)).isTrue();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (count(Files.readString(dir.resolve("maillog")), mixed + ": from=<alice@src.test>, size=") == before
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        log = Files.readString(dir.resolve("maillog"));
        assertThat(count(log, mixed + ": from=<alice@src.test>, size=")).isEqualTo(before + 1);
        // only the deferred recipients were tried again
        awaitLog(Pattern.compile("(?s)" + Pattern.quote(mixed) + ": to=<a@err.test>.*" + Pattern.quote(mixed)
                + ": from=<alice@src.test>, size=.*" + Pattern.quote(mixed) + ": to=<e@retry2.test>"));
        assertThat(count(Files.readString(dir.resolve("maillog")), mixed + ": to=<a@err.test>")).isEqualTo(1);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
        return n;
    }
}
