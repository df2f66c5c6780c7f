package org.posthorn.local;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.CleanupException;
import org.posthorn.cleanup.Envelope;
import org.posthorn.cleanup.Origin;
import org.posthorn.cleanup.Recipient;
import org.posthorn.config.Config;
import org.posthorn.qmgr.DeliveryRecipient;
import org.posthorn.qmgr.DeliveryReport;
import org.posthorn.qmgr.DeliveryRequest;
import org.posthorn.qmgr.DeliveryStatus;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;

/** Test scaffolding for the delivery agents: a queue file, users, a recording report and cleanup. */
public final class Fixture {
    public final Path root;
    public final QueueDirectory queue;
    public final Path passwdFile;
    public final Map<String, String> params = new HashMap<>();
    public final Report report = new Report();
    public final RecordingCleanup cleanup = new RecordingCleanup();

    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OPEN =
            java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx");

    public Fixture(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root);
        Files.setPosixFilePermissions(root, OPEN);
        this.queue = QueueDirectory.of(root.resolve("spool"));
        queue.check();
        passwdFile = root.resolve("passwd");
        Files.writeString(passwdFile, "");
        params.put("myhostname", "host.example");
        params.put("mydomain", "example");
        params.put("myorigin", "host.example");
        params.put("mydestination", "host.example, localhost");
        params.put("alias_maps", "");
        params.put("deliver_lock_attempts", "2");
        params.put("deliver_lock_delay", "0s");
    }

    /** The uid of test users: our own, or an unprivileged one when the tests run as root. */
    public static final int USER_UID = Ownership.privileged() ? 65534 : Math.max(Ownership.selfUid(), 0);

    /**
     * Adds a passwd entry with {@link #USER_UID} and a home under the root; returns the home.
     * The folders are open to all, so that commands run as that user can write there.
     */
    public Path user(String name) throws IOException {
        Path home = root.resolve("home").resolve(name);
        Files.createDirectories(home);
        for (Path p = home; p.startsWith(root); p = p.getParent()) Files.setPosixFilePermissions(p, OPEN);
        int uid = USER_UID;
        Files.writeString(passwdFile, name + ":x:" + uid + ":" + uid + ":" + name + ":" + home + ":/bin/sh\n",
                java.nio.file.StandardOpenOption.APPEND);
        return home;
    }

    /** Adds a passwd entry with a given uid (an unprivileged account for commands run as root). */
    public void user(String name, int uid, Path home) throws IOException {
        Files.writeString(passwdFile, name + ":x:" + uid + ":" + uid + ":" + name + ":" + home + ":/bin/sh\n",
                java.nio.file.StandardOpenOption.APPEND);
    }

    public Passwd passwd() {
        return new Passwd(passwdFile);
    }

    public Config config() {
        return Config.of(root.resolve("etc"), params);
    }

    /** A queue file with the message (lines separated by \n) and the recipients. */
    public Path message(String sender, String content, String... recipients) throws IOException {
        QueueFileWriter w = QueueFileWriter.create(queue, QueueName.INCOMING, 2048);
        w.envelopeStart(Instant.ofEpochSecond(1795808173L), "local");
        w.sender(sender);
        w.attribute("client_address", "127.0.0.1");
        w.attribute("client_name", "localhost");
        for (String r : recipients) w.recipient(new QueueFileWriter.Rcpt(null, 0, r, r));
        w.beginContent();
        w.copyContent(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
        w.endContent();
        w.finish(QueueName.ACTIVE);
        return w.path();
    }

    public DeliveryRequest request(Path file, String sender, String... recipients) {
        List<DeliveryRecipient> rs = new ArrayList<>();
        long off = 100;
        for (String r : recipients) rs.add(new DeliveryRecipient(r, r, null, 0, off++));
        return new DeliveryRequest("local", "host.example", file.getFileName().toString(), file, Instant.now(),
                Instant.now(), sender, 1000, null, null, Map.of("client_address", "127.0.0.1", "client_name", "localhost"),
                rs, report);
    }

    /** Delivers through local(8) one message to the recipients. */
    public void local(String sender, String content, String... recipients) throws Exception {
        Path file = message(sender, content, recipients);
        LocalService.of(config(), passwd(), cleanup).deliver(request(file, sender, recipients));
    }

    /** What the agent reported, in order. */
    public static final class Report implements DeliveryReport {
        public record Entry(String kind, DeliveryRecipient recipient, DeliveryStatus status) {
            @Override
            public String toString() {
                return kind + " to=<" + recipient.address() + "> orig_to=<" + recipient.originalAddress() + "> relay="
                        + status.relay() + " dsn=" + status.dsn() + " (" + status.text() + ")";
            }
        }

        public final List<Entry> entries = new CopyOnWriteArrayList<>();

        @Override
        public void sent(DeliveryRecipient recipient, DeliveryStatus status) {
            entries.add(new Entry("sent", recipient, status));
        }

        @Override
        public void deferred(DeliveryRecipient recipient, DeliveryStatus status) {
            entries.add(new Entry("deferred", recipient, status));
        }

        @Override
        public void bounced(DeliveryRecipient recipient, DeliveryStatus status) {
            entries.add(new Entry("bounced", recipient, status));
        }

        public List<String> lines() {
            return entries.stream().map(Entry::toString).toList();
        }
    }

    /** A Cleanup that keeps what was submitted. */
    public static final class RecordingCleanup implements Cleanup {
        public record Message(String sender, List<String> recipients, String content) {
        }

        public final List<Message> messages = new CopyOnWriteArrayList<>();
        public volatile boolean reject;

        @Override
        public Submission open(Envelope envelope, Origin origin) throws CleanupException {
            String id = "FWD" + (messages.size() + 1);
            List<String> rcpts = new ArrayList<>();
            StringBuilder content = new StringBuilder();
            return new Submission() {
                @Override
                public String queueId() {
                    return id;
                }

                @Override
                public void addRecipient(Recipient recipient) {
                    rcpts.add(recipient.address());
                }

                @Override
                public void record(byte[] buffer, int offset, int length, boolean endOfLine) {
                    content.append(new String(buffer, offset, length, StandardCharsets.UTF_8));
                    if (endOfLine) content.append('\n');
                }

                @Override
                public Result finish() {
                    if (reject) return new Result.Rejected(550, "5.7.1", "rejected for the test");
                    messages.add(new Message(envelope.sender(), rcpts, content.toString()));
                    return new Result.Queued(id);
                }

                @Override
                public void abort() {
                }
            };
        }
    }
}
