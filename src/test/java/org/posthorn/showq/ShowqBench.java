package org.posthorn.showq;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.posthorn.bounce.BounceLogs;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueId;
import org.posthorn.queue.QueueName;

/**
 * Not a test: times {@code bin/postqueue -p} on a large queue (default 100,000 messages in
 * deferred/, every tenth with a defer log). One file is written with QueueFileWriter and
 * copied under fresh IDs, so making the queue takes seconds, not 100,000 fsyncs.
 * Run: {@code java -cp target/posthorn.jar:target/test-classes org.posthorn.showq.ShowqBench [N] [DIR]}
 * from the checkout (bench/showq-bench.sh does this).
 */
public final class ShowqBench {
    private ShowqBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("showq-bench");
        Path spool = dir.resolve("spool");
        Path etc = dir.resolve("etc");
        ShowqTestQueue.writeMainCf(etc, spool);
        QueueDirectory queue = QueueDirectory.of(spool);
        queue.check();
        BounceLogs logs = new BounceLogs(queue);
        byte[] template;
        try (QueueFileWriter w = QueueFileWriter.create(queue, QueueName.INCOMING, 2048)) {
            w.envelopeStart(Instant.now(), "remote");
            w.sender("sender@client.example.org");
            w.recipient(QueueFileWriter.Rcpt.of("someone@defer.test"));
            w.recipient(QueueFileWriter.Rcpt.of("other@defer.test"));
            w.beginContent();
            w.contentLine("Subject: bench");
            w.contentLine("");
            for (int i = 0; i < 40; i++) w.contentLine("x".repeat(70));
            w.endContent();
            w.finish();
            template = Files.readAllBytes(w.path());
            Files.delete(w.path());
        }
        long t0 = System.nanoTime();
        var mode = PosixFilePermissions.fromString("rwx------");
        for (int i = 0; i < n; i++) {
            String id = QueueId.shortForm(i % 1_000_000, 0x100000L + i);
            Path file = queue.path(QueueName.DEFERRED, id);
            Files.createDirectories(file.getParent());
            Files.write(file, template);
            Files.setPosixFilePermissions(file, mode);
            if (i % 10 == 0) {
                logs.append(QueueName.DEFER, id, new BounceLogs.Entry("someone@defer.test", null, 0, null, 0, "4.4.1",
                        "delayed", null, null, "connect to 127.0.0.1[127.0.0.1]:12599: Connection refused"));
            }
        }
        System.err.printf("made %d queue files in %d ms under %s%n", n, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), spool);
        for (int round = 0; round < 2; round++) {
            long s = System.nanoTime();
            Process p = new ProcessBuilder("bin/postqueue", "-c", etc.toString(), "-p")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            int status = p.waitFor();
            System.err.printf("bin/postqueue -p: status %d, %d ms%n", status, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s));
        }
    }
}
