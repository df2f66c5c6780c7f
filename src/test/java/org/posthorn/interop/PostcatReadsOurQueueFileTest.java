package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileEditor;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;
import org.posthorn.queue.Record;
import org.posthorn.queue.RecordType;

/** Debian's postcat reads queue files written by our writer, record for record. */
@Tag("interop")
class PostcatReadsOurQueueFileTest {
    @TempDir
    Path tmp;
    Path etc;
    QueueDirectory dir;

    static final String MESSAGE = "Received: from client.example.org (localhost [127.0.0.1])\r\n"
            + "\tby mx.example.test (Posthorn) with ESMTP id X\r\n"
            + "Subject: =?UTF-8?Q?gr=C3=BC=C3=9Fe?=\r\nX-Long: " + "y".repeat(3000) + "\r\n\r\nbody\r\n"
            + "z".repeat(4100) + "\r\n.leading dot\r\n\r\n\u00fcml\u00e4ut 8bit\r\nlast line without end";

    @BeforeEach
    void setUp() throws IOException {
        etc = Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(etc.resolve("main.cf"), "queue_directory = " + tmp.resolve("spool") + "\n");
        dir = QueueDirectory.of(tmp.resolve("spool"));
        dir.check();
    }

    private QueueFileWriter write() throws IOException {
        QueueFileWriter w = QueueFileWriter.create(dir, QueueName.INCOMING, 2048);
        w.envelopeStart(Instant.ofEpochSecond(1795808173L, 116301000L), "remote");
        w.sender("sender@example.org");
        w.record(RecordType.FULL, "Sender Name");
        w.record(RecordType.WARN, String.format("%15d", 1795811773L));
        w.attribute("log_client_name", "client.example.org");
        w.attribute("log_client_address", "127.0.0.1");
        w.record(RecordType.DSN_RET, "2");
        w.record(RecordType.DSN_ENVID, "envid-1");
        w.recipient(new QueueFileWriter.Rcpt("rfc822;R1@example.net", 0, "R1@example.net", "r1@example.net"));
        w.recipient(new QueueFileWriter.Rcpt(null, 14, "r2@example.net", "r2@example.net"));
        w.recipient(QueueFileWriter.Rcpt.of(""));
        w.beginContent();
        w.copyContent(new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.UTF_8)));
        w.endContent();
        w.record(RecordType.RCPT, "extracted@example.net");
        w.record(RecordType.RRTO, "receipt@example.org");
        w.finish(QueueName.HOLD);
        return w;
    }

    private PostcatOracle.Result postcat(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("postcat", "-c", etc.toString()));
        cmd.addAll(List.of(args));
        PostcatOracle.Result r = PostcatOracle.run(cmd);
        assertThat(r.status()).as("postcat %s: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }

    @Test
    void postcatShowsEveryRecordAtOurOffsets() throws Exception {
        QueueFileWriter w = write();
        List<Record> records = PostcatOracle.records(w.path());
        String expected = PostcatOracle.expectedOffsetsOutput(records, "hold/" + w.queueId());
        PostcatOracle.Result r = postcat("-o", "-d", "-r", "-q", w.queueId());
        assertThat(r.text()).isEqualTo(expected);
        assertThat(r.err()).isEmpty();
        // the same through the file name instead of the queue search
        PostcatOracle.Result byName = postcat("-o", "-d", "-r", w.path().toString());
        assertThat(byName.text()).isEqualTo(PostcatOracle.expectedOffsetsOutput(records, w.path().toString()));
    }

    @Test
    void postcatShowsOurEnvelopeHeadersAndBody() throws Exception {
        QueueFileWriter w = write();
        String id = w.queueId();
        String arrival = PostcatOracle.asctime(1795808173L);
        String created = PostcatOracle.asctime(w.createTime().getEpochSecond());
        String envelope;
        try (QueueFileReader reader = QueueFileReader.open(w.path())) {
            long size = reader.envelope().size().contentSize();
            long data = reader.envelope().dataOffset();
            envelope = "*** ENVELOPE RECORDS hold/" + id + " ***\n"
                    + String.format("message_size: %15d %15d %15d %15d %15d %15d\n", size, data, 4, 0, size, 0)
                    + "message_arrival_time: " + arrival + "\n"
                    + "create_time: " + created + "\n"
                    + "named_attribute: log_ident=" + id + "\n"
                    + "named_attribute: rewrite_context=remote\n"
                    + "sender: sender@example.org\n"
                    + "sender_fullname: Sender Name\n"
                    + "warning_message_time: " + PostcatOracle.asctime(1795811773L) + "\n"
                    + "named_attribute: log_client_name=client.example.org\n"
                    + "named_attribute: log_client_address=127.0.0.1\n"
                    + "dsn_return_flags: 2\n"
                    + "dsn_envelope_id: envid-1\n"
                    + "named_attribute: dsn_orig_rcpt=rfc822;R1@example.net\n"
                    + "original_recipient: R1@example.net\n"
                    + "recipient: r1@example.net\n"
                    + "named_attribute: notify_flags=14\n"
                    + "original_recipient: r2@example.net\n"
                    + "recipient: r2@example.net\n"
                    + "original_recipient: \n"
                    + "recipient: \n";
            String body = MESSAGE.replace("\r\n", "\n") + "\n";
            String extracted = "*** HEADER EXTRACTED hold/" + id + " ***\n"
                    + "recipient: extracted@example.net\n"
                    + "return_receipt: receipt@example.org\n"
                    + "*** MESSAGE FILE END hold/" + id + " ***\n";
            assertThat(postcat("-q", id).text()).isEqualTo(envelope + "*** MESSAGE CONTENTS hold/" + id + " ***\n" + body + extracted);
            assertThat(postcat("-e", "-q", id).text()).isEqualTo(envelope + "*** MESSAGE CONTENTS hold/" + id + " ***\n" + extracted);
            // headers and body: byte for byte what our reader streams
            byte[] ours = reader.contentStream("\n").readAllBytes();
            assertThat(postcat("-bh", "-q", id).out()).isEqualTo(ours);
            assertThat(new String(ours, StandardCharsets.UTF_8)).isEqualTo(body);
        }
        // after marking a recipient done, postcat shows it as done_recipient
        try (QueueFileReader reader = QueueFileReader.open(w.path())) {
            QueueFileEditor.markDone(w.path(), reader.envelope().recipients().get(1).offset());
        }
        assertThat(postcat("-e", "-q", id).text()).contains("original_recipient: r2@example.net\ndone_recipient: r2@example.net\n");
    }

    @Test
    void postcatFindsOurFilesInHashedQueuesWithShortAndLongIds() throws Exception {
        for (boolean longIds : new boolean[] {false, true}) {
            Path spool = tmp.resolve("hashed-" + longIds);
            Path conf = Files.createDirectories(tmp.resolve("etc-" + longIds));
            Files.writeString(conf.resolve("main.cf"), "queue_directory = " + spool + "\n"
                    + "hash_queue_names = hold, deferred\nhash_queue_depth = 2\n"
                    + "enable_long_queue_ids = " + (longIds ? "yes" : "no") + "\n");
            QueueDirectory hashed = QueueDirectory.of(org.posthorn.config.Config.load(conf));
            hashed.check();
            QueueFileWriter w = QueueFileWriter.create(hashed, QueueName.INCOMING, 2048);
            w.envelopeStart(Instant.now(), "local");
            w.sender("s@example.org");
            w.recipient(QueueFileWriter.Rcpt.of("r@example.net"));
            w.beginContent();
            w.contentLine("Subject: hashed");
            w.endContent();
            String id = w.finish(QueueName.HOLD);
            assertThat(org.posthorn.queue.QueueId.parse(id).orElseThrow().longForm()).isEqualTo(longIds);
            assertThat(spool.relativize(w.path()).getNameCount()).isEqualTo(4); // hold/X/Y/ID
            PostcatOracle.Result r = PostcatOracle.run(List.of("postcat", "-c", conf.toString(), "-bh", "-q", id));
            assertThat(r.status()).as("postcat -q %s: %s", id, r.err()).isZero();
            assertThat(r.text()).isEqualTo("Subject: hashed\n");
        }
    }
}
