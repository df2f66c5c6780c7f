package org.posthorn.queue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * Not a test: fills incoming/ of a queue directory with N complete 1 KB messages to
 * rcpt@remote.test, for bench/backlog.sh. One file is written with QueueFileWriter and
 * copied under fresh IDs, so a backlog of 100,000 takes seconds.
 * Run: {@code java -cp target/posthorn.jar:target/test-classes org.posthorn.queue.BacklogMaker N SPOOL}.
 */
public final class BacklogMaker {
    private BacklogMaker() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        QueueDirectory queue = QueueDirectory.of(Path.of(args[1]));
        byte[] template;
        try (QueueFileWriter w = QueueFileWriter.create(queue, QueueName.INCOMING, 2048)) {
            w.envelopeStart(Instant.now(), "remote");
            w.sender("sender@bench.test");
            w.recipient(QueueFileWriter.Rcpt.of("rcpt@remote.test"));
            w.beginContent();
            w.contentLine("Subject: backlog");
            w.contentLine("");
            for (int i = 0; i < 13; i++) w.contentLine("x".repeat(72));
            w.endContent();
            w.finish();
            template = Files.readAllBytes(w.path());
            Files.delete(w.path());
        }
        var mode = PosixFilePermissions.fromString("rwx------");
        for (int i = 0; i < n; i++) {
            Path file = queue.path(QueueName.INCOMING, QueueId.shortForm(i % 1_000_000, 0x100000L + i));
            Files.createDirectories(file.getParent());
            Files.write(file, template);
            Files.setPosixFilePermissions(file, mode);
        }
        System.err.printf("made %d queue files in %s%n", n, queue.dir(QueueName.INCOMING));
    }
}
