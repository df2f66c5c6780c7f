package org.posthorn.pickup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.QueueWritingCleanup;
import org.posthorn.cleanup.Recipient;
import org.posthorn.config.Config;
import org.posthorn.master.TestServiceContext;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;
import org.posthorn.queue.RecordType;

class PickupServiceTest {
    @TempDir
    Path tmp;
    QueueDirectory queue;
    QueueWritingCleanup cleanup;
    TestServiceContext context;
    PickupService pickup;

    @BeforeEach
    void setUp() throws IOException {
        Config config = Config.of(tmp, Map.of("queue_directory", tmp.resolve("q").toString()));
        queue = QueueDirectory.of(config);
        queue.check();
        cleanup = new QueueWritingCleanup(queue);
        context = new TestServiceContext(config, cleanup, "pickup");
        pickup = new PickupService();
    }

    /** A maildrop file as sendmail writes it; finished (0744) or left at 0600. */
    private Path maildrop(boolean finish, RecordType extra) throws IOException {
        return maildrop(finish, extra, List.of());
    }

    /** @param envelopeExtras records written after the sender, as "type:value" (V, A) */
    private Path maildrop(boolean finish, RecordType extra, List<String> envelopeExtras) throws IOException {
        QueueFileWriter w = QueueFileWriter.createMaildrop(queue, 2048);
        w.time(Instant.ofEpochSecond(1_800_000_000L));
        w.record(RecordType.ATTR, "rewrite_context=local");
        w.record(RecordType.FULL, "Alice");
        w.record(RecordType.FROM, "alice@example.org");
        for (String e : envelopeExtras) w.record(e.charAt(0) == 'V' ? RecordType.VERP : RecordType.ATTR, e.substring(2));
        w.record(RecordType.ATTR, "notify_flags=6");
        w.record(RecordType.RCPT, "bob@example.net");
        w.beginContent();
        w.copyContent(new ByteArrayInputStream("Subject: hi\n\nbody\n".getBytes(StandardCharsets.US_ASCII)));
        w.endContent();
        w.record(RecordType.RCPT, "carol@example.com");
        if (!finish) return w.path();
        Path p = w.path();
        w.finish();
        if (extra != null) { // append a record postdrop never writes, after the fact
            byte[] bytes = Files.readAllBytes(p);
            byte[] evil = new byte[bytes.length + 2];
            System.arraycopy(bytes, 0, evil, 0, bytes.length - 2);
            evil[bytes.length - 2] = extra.code();
            evil[bytes.length - 1] = 0;
            evil[bytes.length] = 'E';
            evil[bytes.length + 1] = 0;
            Files.write(p, evil);
        }
        return p;
    }

    @Test
    void queuesACompleteFileThenRemovesIt() throws Exception {
        Path file = maildrop(true, null);
        assertThat(pickup.scan(context)).isEqualTo(1);
        assertThat(file).doesNotExist();
        assertThat(cleanup.seen).hasSize(1);
        QueueWritingCleanup.Seen s = cleanup.seen.getFirst();
        assertThat(s.envelope().sender()).isEqualTo("alice@example.org");
        assertThat(s.envelope().arrival()).isEqualTo(Instant.ofEpochSecond(1_800_000_000L));
        assertThat(s.envelope().fullName()).isEqualTo("Alice"); // the F record reaches cleanup
        assertThat(s.origin().protocol()).isNull(); // as Postfix's pickup: no protocol_name
        assertThat(s.origin().clientAddress()).isNull();
        assertThat(s.recipients()).extracting(Recipient::address).containsExactly("bob@example.net", "carol@example.com");
        assertThat(s.recipients().getFirst().dsnNotify()).containsExactlyInAnyOrder(Recipient.Notify.FAILURE, Recipient.Notify.SUCCESS);
        assertThat(s.lines().get(0)).matches("Received: by \\S+ \\(Postfix, from userid 0\\)");
        assertThat(s.lines().get(1)).matches("\tid " + s.queueId() + "; \\w{3}, [ \\d]\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [-+]\\d{4} \\(.+\\)");
        assertThat(s.lines().subList(2, s.lines().size())).containsExactly("Subject: hi", "", "body");
        List<Path> incoming = queue.list(QueueName.INCOMING);
        assertThat(incoming).hasSize(1);
        try (QueueFileReader r = QueueFileReader.open(incoming.getFirst())) {
            assertThat(r.envelope().sender()).isEqualTo("alice@example.org");
        }
        assertThat(context.lines).contains(s.queueId() + ": uid=0 from=<alice@example.org>");
    }

    @Test
    void verpDelimitersReachCleanup() throws Exception {
        maildrop(true, null, List.of("V:+="));
        assertThat(pickup.scan(context)).isEqualTo(1);
        assertThat(cleanup.seen.getFirst().envelope().verp()).isEqualTo("+=");
    }

    @Test
    void anAddressVerificationRequestIsDiscardedNotParked() throws Exception {
        Path probe = maildrop(true, null, List.of("A:trace_flags=512"));
        pickup.scan(context);
        assertThat(probe).doesNotExist();
        assertThat(cleanup.seen).isEmpty();
        assertThat(context.lines).anyMatch(l -> l.contains("address verification request (sendmail -bv) is not implemented"));
        // sendmail -v (record flag only) is still mail: delivered, with the flag for qmgr's report
        Path verbose = maildrop(true, null, List.of("A:trace_flags=1024"));
        assertThat(pickup.scan(context)).isEqualTo(1);
        assertThat(verbose).doesNotExist();
        assertThat(cleanup.seen).hasSize(1);
        assertThat(cleanup.seen.getFirst().envelope().traceFlags()).isEqualTo(1024);
    }

    @Test
    void aRecipientWithoutOrcptGetsRfc822AddressAsPostfixsPickupGivesIt() throws Exception {
        maildrop(true, null);
        assertThat(pickup.scan(context)).isEqualTo(1);
        assertThat(cleanup.seen.getFirst().recipients()).extracting(Recipient::orcpt)
                .containsExactly("rfc822;bob@example.net", "rfc822;carol@example.com");
    }

    @Test
    void aRequeuedWholeQueueFileIsTrustedAndLoggedWithOrigId() throws Exception {
        // postsuper -r puts a complete queue file (size record, mode 0700) into maildrop/
        QueueFileWriter w = QueueFileWriter.create(queue, QueueName.MAILDROP, 2048);
        w.envelopeStart(Instant.ofEpochSecond(1_800_000_000L), "remote");
        w.sender("old@example.org");
        w.attribute("log_client_name", "mx.example.org");
        w.recipient(QueueFileWriter.Rcpt.of("r@example.net"));
        w.beginContent();
        w.contentLine("Subject: requeued");
        w.endContent();
        String oldId = w.finish();
        assertThat(pickup.scan(context)).isEqualTo(1);
        QueueWritingCleanup.Seen s = cleanup.seen.getFirst();
        assertThat(s.recipients()).extracting(Recipient::address).containsExactly("r@example.net");
        assertThat(context.lines).contains(s.queueId() + ": uid=0 from=<old@example.org> orig_id=" + oldId);
    }

    @Test
    void skipsIncompleteFilesAndRemovesStaleOnes() throws Exception {
        Path file = maildrop(false, null);
        assertThat(pickup.scan(context)).isZero();
        assertThat(file).exists();
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(18001)));
        pickup.scan(context);
        assertThat(file).doesNotExist();
        assertThat(cleanup.seen).isEmpty();
        assertThat(context.lines).anyMatch(l -> l.startsWith("warning: uid=0: removed stale incomplete file"));
    }

    @Test
    void removesAFileWithARecordPostdropNeverWrites() throws Exception {
        Path file = maildrop(true, RecordType.PRIO);
        pickup.scan(context);
        assertThat(file).doesNotExist();
        assertThat(cleanup.seen).isEmpty();
        assertThat(queue.list(QueueName.INCOMING)).isEmpty();
        assertThat(context.lines).anyMatch(l -> l.startsWith("warning: uid=0: unexpected or malformed record in maildrop file"));
    }

    @Test
    void keepsTheFileWhenCleanupRefuses() throws Exception {
        Path file = maildrop(true, null);
        cleanup.rejectWith(new Cleanup.Result.Rejected(451, "4.3.0", "Error: queue file write error"));
        pickup.scan(context);
        assertThat(file).exists();
        cleanup.rejectWith(null);
        pickup.scan(context);                    // temporary: tried again
        assertThat(file).doesNotExist();
        assertThat(cleanup.seen).hasSize(1);
    }

    @Test
    void permanentRefusalParksTheFile() throws Exception {
        Path file = maildrop(true, null);
        cleanup.rejectWith(new Cleanup.Result.Rejected(550, "5.7.1", "Error: content rejected"));
        pickup.scan(context);
        cleanup.rejectWith(null);
        pickup.scan(context);
        assertThat(file).exists();               // kept for the administrator, not retried
        assertThat(context.lines).anyMatch(l -> l.contains("cleanup refused the message: 550 5.7.1 Error: content rejected"));
    }

    @Test
    void withoutACleanupServiceMailStaysAndTheWarningComesOnce() throws Exception {
        Path file = maildrop(true, null);
        TestServiceContext noCleanup = new TestServiceContext(context.config(), "no seams", "pickup");
        pickup.scan(noCleanup);
        pickup.scan(noCleanup);
        assertThat(file).exists();
        assertThat(noCleanup.lines).filteredOn(l -> l.contains("no cleanup service")).hasSize(1);
        assertThat(pickup.scan(context)).isEqualTo(1);
    }

    @Test
    void wakeupFromTheServiceThreadPicksUpNewMail() throws Exception {
        pickup.start(context);
        try {
            Path file = maildrop(true, null);
            pickup.wakeup(context);
            for (int i = 0; i < 100 && Files.exists(file); i++) Thread.sleep(50);
            assertThat(file).doesNotExist();
        } finally {
            pickup.stop();
        }
    }
}
