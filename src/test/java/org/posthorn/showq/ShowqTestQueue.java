package org.posthorn.showq;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.posthorn.bounce.BounceLogs;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;
import org.posthorn.queue.RecordType;

/**
 * A queue with one message of each kind showq reports differently: deferred with reasons
 * (two reasons, a recipient the defer log lacks), held, active, incoming, forced expiry
 * (mode 0710), the null sender, a quoted local part, a delivered recipient, a file still
 * being written (0600, not listed). Shared by the unit tests and the oracle test.
 */
public final class ShowqTestQueue {
    private ShowqTestQueue() {
    }

    /** Fills the queue and returns the IDs in creation order. */
    public static List<String> fill(QueueDirectory queue) throws IOException {
        queue.check();
        BounceLogs logs = new BounceLogs(queue);
        List<String> ids = new ArrayList<>();
        Instant t = Instant.ofEpochSecond(1795808173L, 116301000L);

        String d1 = message(queue, QueueName.DEFERRED, t, "sender@client.example.org", 300,
                "x1@defer.test", "x2@defer.test", "x3@other.test", "late@other.test");
        defer(logs, d1, "x1@defer.test", "connect to 127.0.0.1[127.0.0.1]:12599: Connection refused");
        defer(logs, d1, "x2@defer.test", "connect to 127.0.0.1[127.0.0.1]:12599: Connection refused");
        defer(logs, d1, "x3@other.test", "host mx.other.test[192.0.2.1] said: 450 4.2.0 try again later (in reply to RCPT TO command)");
        ids.add(d1);

        String h = message(queue, QueueName.HOLD, t.plusSeconds(86400 * 3 + 17), "", 3000, "a@hold.test", "b@hold.test");
        ids.add(h);

        String x = message(queue, QueueName.DEFERRED, t.plusSeconds(5), "odd name@client.example.org", 50, "only@defer.test");
        defer(logs, x, "only@defer.test", "a reason of exactly seventy-six characters, so that no padding remains ok.");
        Files.setPosixFilePermissions(queue.path(QueueName.DEFERRED, x), PosixFilePermissions.fromString("rwx--x---"));
        ids.add(x);

        String a = message(queue, QueueName.ACTIVE, t.plusSeconds(60), "bob@example.org", 2048, "c@active.test");
        ids.add(a);

        String i = messageWithDone(queue, t.plusSeconds(120));
        ids.add(i);

        // still being written: mode 0600, never listed
        try (QueueFileWriter w = QueueFileWriter.create(queue, QueueName.INCOMING, 2048)) {
            w.envelopeStart(t, "local");
            w.sender("half@example.org");
            w.recipient(QueueFileWriter.Rcpt.of("half@example.org"));
            w.beginContent();
            w.endContent();
            w.finish();
            Files.setPosixFilePermissions(w.path(), PosixFilePermissions.fromString("rw-------"));
        }
        return ids;
    }

    private static String message(QueueDirectory queue, QueueName target, Instant arrival, String sender, int bodyBytes,
                                  String... recipients) throws IOException {
        try (QueueFileWriter w = QueueFileWriter.create(queue, QueueName.INCOMING, 2048)) {
            w.envelopeStart(arrival, "local");
            w.sender(sender);
            for (String r : recipients) w.recipient(QueueFileWriter.Rcpt.of(r));
            w.beginContent();
            w.contentLine("Subject: test");
            w.contentLine("");
            w.contentLine("x".repeat(bodyBytes));
            w.endContent();
            String id = w.finish(target);
            Files.setLastModifiedTime(w.path(), FileTime.from(arrival));
            return id;
        }
    }

    /** An incoming message whose first recipient was delivered (a D record). */
    private static String messageWithDone(QueueDirectory queue, Instant arrival) throws IOException {
        try (QueueFileWriter w = QueueFileWriter.create(queue, QueueName.INCOMING, 2048)) {
            w.envelopeStart(arrival, "remote");
            w.sender("carol@example.org");
            w.record(RecordType.DONE, "done@example.org");
            w.recipient(QueueFileWriter.Rcpt.of("todo@example.org"));
            w.beginContent();
            w.contentLine("Subject: partly done");
            w.endContent();
            return w.finish();
        }
    }

    private static void defer(BounceLogs logs, String id, String rcpt, String reason) throws IOException {
        logs.append(QueueName.DEFER, id, new BounceLogs.Entry(rcpt, null, 0, null, 0, "4.4.1", "delayed", null, null, reason));
    }

    /** A main.cf both Posthorn and Postfix read: the queue directory and nothing that needs a running system. */
    public static void writeMainCf(Path etc, Path spool, String... more) throws IOException {
        Files.createDirectories(etc);
        List<String> lines = new ArrayList<>(List.of("compatibility_level = 3.6", "queue_directory = " + spool,
                "data_directory = " + spool.resolveSibling("data"), "maillog_file_prefixes = " + etc.getParent(),
                "maillog_file = " + etc.resolveSibling("maillog")));
        lines.addAll(List.of(more));
        Files.writeString(etc.resolve("main.cf"), String.join("\n", lines) + "\n");
    }
}
