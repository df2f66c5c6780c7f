package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.log.Log;

class QueueFileTest {
    @TempDir
    Path tmp;
    QueueDirectory dir;
    final List<String> logged = new CopyOnWriteArrayList<>();

    static final Instant ARRIVAL = Instant.ofEpochSecond(1795808173L, 116301000L);
    static final String MESSAGE = "Subject: test\r\nFrom: a@example.org\r\n\r\nhello\r\n" + "x".repeat(5000) + "\r\n.dot\r\n\r\nend\r\n";

    @BeforeEach
    void setUp() throws IOException {
        dir = QueueDirectory.of(tmp.resolve("spool"));
        dir.check();
        Log.setStderr(false);
        Log.addSink((severity, tag, pid, text) -> logged.add(tag + ": " + text));
    }

    @AfterEach
    void tearDown() {
        Log.clearSinks();
        Log.setStderr(true);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** Writes the sample message with two recipients; returns the writer (finished). */
    private QueueFileWriter writeSample(QueueName target) throws IOException {
        QueueFileWriter w = QueueFileWriter.create(dir, QueueName.INCOMING, 2048);
        w.envelopeStart(ARRIVAL, "local");
        w.sender("sender@example.org");
        w.attribute("log_client_name", "localhost");
        w.recipient(new QueueFileWriter.Rcpt("rfc822;r1@example.net", 0, "r1@example.net", "r1@example.net"));
        w.recipient(new QueueFileWriter.Rcpt("rfc822;R2@example.net", 4, "R2@example.net", "r2@example.net"));
        w.beginContent();
        w.copyContent(new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.UTF_8)));
        w.endContent();
        w.record(RecordType.RCPT, "extracted@example.net");
        w.finish(target);
        return w;
    }

    @Test
    void theWritersEnvelopeIsWhatTheReaderReadsBack() throws IOException {
        QueueFileWriter w = QueueFileWriter.create(dir, QueueName.INCOMING, 2048);
        assertThat(w.envelope()).as("not finished").isNull();
        w.envelopeStart(ARRIVAL, "remote");
        w.record(RecordType.FULL, "Ann Example");
        w.sender("sender@example.org");
        w.record(RecordType.DSN_ENVID, "env-1");
        w.record(RecordType.DSN_RET, "2");
        w.recipient(new QueueFileWriter.Rcpt("rfc822;r1@example.net", 14, "R1@example.net", "r1@example.net"));
        w.recipient(QueueFileWriter.Rcpt.of("r2@example.net"));
        w.record(RecordType.VERP, "+=");
        w.beginContent();
        w.copyContent(new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.UTF_8)));
        w.endContent();
        w.attribute("encoding", "8bit");
        w.record(RecordType.INSP, "smtp:[127.0.0.1]:10025");
        w.record(RecordType.RCPT, "extracted@example.net");
        w.qmgrFlags(2);
        w.smtputf8Flags(1);
        // cleanup hands it to qmgr before finishing: qmgr may find the file as soon as its mode is set
        Envelope written = w.envelope();
        w.finish();
        try (QueueFileReader r = QueueFileReader.open(w.path())) {
            assertThat(show(written)).isEqualTo(show(r.envelope()));
            assertThat(show(w.envelope())).isEqualTo(show(r.envelope()));
            assertThat(Files.size(w.path())).as("the file ends with E").isEqualTo(written.endOffset() + 2);
        }
        assertThat(written.recipients()).hasSize(3);
        assertThat(written.recipients().get(0).dsnNotify()).isEqualTo(14);
        assertThat(written.size().qmgrFlags()).isEqualTo(2);
    }

    @Test
    void aMaildropFileHasNoWritersEnvelope() throws IOException {
        QueueFileWriter w = QueueFileWriter.createMaildrop(dir, 2048);
        w.time(ARRIVAL);
        w.sender("a@example.org");
        w.record(RecordType.RCPT, "b@example.org");
        w.beginContent();
        w.copyContent(new ByteArrayInputStream("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8)));
        w.endContent();
        w.finish();
        assertThat(w.envelope()).isNull();
    }

    /** An envelope as text: records compare by type, offset and payload (Record holds an array). */
    private static String show(Envelope e) {
        StringBuilder b = new StringBuilder().append(e.size()).append('|').append(e.arrivalTime()).append('|')
                .append(e.sender()).append('|').append(e.fullName()).append('|').append(e.attributes()).append('|')
                .append(e.recipients()).append('|').append(e.dataOffset()).append('|').append(e.extractedOffset())
                .append('|').append(e.endOffset());
        for (Record r : e.records()) b.append('|').append((char) r.code()).append('@').append(r.offset()).append('=').append(r.text());
        return b.toString();
    }

    @Test
    void writesWhatCleanupWritesAndReadsItBack() throws IOException {
        QueueFileWriter w = writeSample(QueueName.INCOMING);
        Path file = dir.path(QueueName.INCOMING, w.queueId());
        assertThat(w.path()).isEqualTo(file);
        assertThat(mode(file)).isEqualTo("rwx------");
        try (QueueFileReader r = QueueFileReader.open(file)) {
            Envelope e = r.envelope();
            assertThat(e.arrivalTime()).isEqualTo(ARRIVAL);
            assertThat(e.sender()).isEqualTo("sender@example.org");
            assertThat(e.attributes()).containsExactly(Map.entry("create_time", Long.toString(w.createTime().getEpochSecond())),
                    Map.entry("log_ident", w.queueId()), Map.entry("rewrite_context", "local"),
                    Map.entry("log_client_name", "localhost"));
            assertThat(e.recipients()).extracting(Recipient::address).containsExactly("r1@example.net", "r2@example.net", "extracted@example.net");
            Recipient r2 = e.recipients().get(1);
            assertThat(r2.originalAddress()).isEqualTo("R2@example.net");
            assertThat(r2.dsnOrigRcpt()).isEqualTo("rfc822;R2@example.net");
            assertThat(r2.dsnNotify()).isEqualTo(4);
            assertThat(e.recipients().get(2).originalAddress()).isNull();
            // the size record: content size, data offset, recipient count, flags, content length, smtputf8
            Envelope.SizeRecord size = e.size();
            assertThat(size.dataOffset()).isEqualTo(e.dataOffset());
            assertThat(size.contentSize()).isEqualTo(e.extractedOffset() - e.dataOffset());
            assertThat(size.contentLength()).isEqualTo(size.contentSize());
            assertThat(size.recipientCount()).isEqualTo(3);
            // each recipient's offset points at its R record
            byte[] bytes = Files.readAllBytes(file);
            for (Recipient rc : e.recipients()) assertThat(bytes[(int) rc.offset()]).isEqualTo((byte) 'R');
            assertThat(bytes[(int) e.endOffset()]).isEqualTo((byte) 'E');
            assertThat(bytes.length).isEqualTo(e.endOffset() + 2);
            // the first record is C with 95 bytes of six %15ld fields
            assertThat(bytes[0]).isEqualTo((byte) 'C');
            assertThat(bytes[1]).isEqualTo((byte) 95);
            // content: LF line ends, CR stripped, the 5000-byte line rejoined
            String content = new String(r.contentStream("\n").readAllBytes(), StandardCharsets.UTF_8);
            assertThat(content).isEqualTo(MESSAGE.replace("\r\n", "\n"));
            List<Integer> lengths = new ArrayList<>();
            List<Boolean> ends = new ArrayList<>();
            r.readContent((data, lineEnd) -> {
                lengths.add(data.length);
                ends.add(lineEnd);
            });
            assertThat(lengths).containsExactly(13, 19, 0, 5, 2048, 2048, 904, 4, 0, 3);
            assertThat(ends).containsExactly(true, true, true, true, false, false, true, true, true, true);
            r.verify();
        }
    }

    @Test
    void fileIsCompleteAndMarkedWhenCommittedAndFinishWaitsForTheCommit() throws IOException {
        QueueFileWriter w = QueueFileWriter.create(dir, QueueName.INCOMING, 2048);
        List<String> seen = new ArrayList<>();
        w.durability = (channel, root, dirs) -> {
            // what the sync point is handed: a complete file (E last, size rewritten: 6 content bytes), already 0700
            byte[] bytes = Files.readAllBytes(w.path());
            seen.add(mode(w.path()) + " " + (char) bytes[bytes.length - 2] + " " + new String(bytes, 2, 15).strip());
            assertThat(channel.isOpen()).isTrue();
            assertThat(root).isEqualTo(dir.root());
            assertThat(dirs).containsExactly(dir.dir(QueueName.INCOMING));
            throw new IOException("disk gone");
        };
        w.envelopeStart(ARRIVAL, "remote");
        w.sender("");
        w.recipient(QueueFileWriter.Rcpt.of("a@example.net"));
        assertThat(mode(w.path())).isEqualTo("rw-------");
        w.beginContent();
        w.contentLine("body");
        w.endContent();
        assertThat(mode(w.path())).isEqualTo("rw-------");
        assertThat(seen).isEmpty();
        // a failed commit fails finish, and the file is removed on close like any unfinished file
        assertThatThrownBy(w::finish).hasMessageContaining("disk gone");
        assertThat(seen).containsExactly("rwx------ E 6");
        w.close();
        assertThat(dir.list(QueueName.INCOMING)).isEmpty();
    }

    @Test
    void holdCommitSyncsBothDirectories() throws IOException {
        QueueFileWriter w = QueueFileWriter.create(dir, QueueName.INCOMING, 2048);
        List<Path> synced = new ArrayList<>();
        w.durability = (channel, root, dirs) -> synced.addAll(dirs);
        w.envelopeStart(ARRIVAL, "remote");
        w.sender("");
        w.recipient(QueueFileWriter.Rcpt.of("a@example.net"));
        w.beginContent();
        w.endContent();
        w.finish(QueueName.HOLD);
        assertThat(synced).containsExactly(dir.directoryOf(QueueName.HOLD, w.queueId()), dir.dir(QueueName.INCOMING));
    }

    @Test
    void finishIntoHoldRenamesBeforeMarkingComplete() throws IOException {
        QueueFileWriter w = writeSample(QueueName.HOLD);
        assertThat(dir.list(QueueName.INCOMING)).isEmpty();
        assertThat(dir.list(QueueName.HOLD)).containsExactly(dir.path(QueueName.HOLD, w.queueId()));
        assertThat(mode(w.path())).isEqualTo("rwx------");
    }

    @Test
    void closeWithoutFinishRemovesTheFile() throws IOException {
        Path path;
        try (QueueFileWriter w = QueueFileWriter.create(dir, QueueName.INCOMING, 2048)) {
            w.envelopeStart(ARRIVAL, "local");
            path = w.path();
            assertThat(path).exists();
        }
        assertThat(path).doesNotExist();
        assertThat(dir.list(QueueName.INCOMING)).isEmpty();
    }

    @Test
    void writerRefusesRecordsOutsideTheirSegment() throws IOException {
        try (QueueFileWriter w = QueueFileWriter.create(dir, QueueName.INCOMING, 2048)) {
            assertThatThrownBy(() -> w.record(RecordType.NORM, "x")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.record(RecordType.END, "")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.contentLine("x")).isInstanceOf(IllegalStateException.class);
            w.beginContent();
            assertThatThrownBy(() -> w.record(RecordType.RCPT, "x")).isInstanceOf(IllegalStateException.class);
            w.endContent();
            assertThatThrownBy(() -> w.record(RecordType.TIME, "1 1")).isInstanceOf(IllegalArgumentException.class);
            w.record(RecordType.RRTO, "receipt@example.org");
        }
    }

    @Test
    void markDoneOverwritesOnlyTheTypeByte() throws IOException {
        QueueFileWriter w = writeSample(QueueName.INCOMING);
        Path file = w.path();
        byte[] before = Files.readAllBytes(file);
        List<Recipient> rcpts;
        try (QueueFileReader r = QueueFileReader.open(file)) {
            rcpts = r.envelope().recipients();
        }
        QueueFileEditor.markDone(file, rcpts.get(0).offset());
        QueueFileEditor.markDone(file, rcpts.get(0).offset()); // again: no change, no error
        byte[] after = Files.readAllBytes(file);
        assertThat(after[(int) rcpts.get(0).offset()]).isEqualTo((byte) 'D');
        after[(int) rcpts.get(0).offset()] = 'R';
        assertThat(after).isEqualTo(before);
        try (QueueFileReader r = QueueFileReader.open(file)) {
            assertThat(r.envelope().recipients()).extracting(Recipient::status)
                    .containsExactly(Recipient.Status.DONE, Recipient.Status.TODO, Recipient.Status.TODO);
            assertThat(r.envelope().pendingRecipients()).extracting(Recipient::address).containsExactly("r2@example.net", "extracted@example.net");
        }
        // a wrong offset is refused, and the file stays as it was
        byte[] now = Files.readAllBytes(file);
        assertThatThrownBy(() -> QueueFileEditor.markDone(file, rcpts.get(0).offset() + 1))
                .isInstanceOf(QueueFileException.class).hasMessageContaining("no recipient record here");
        assertThatThrownBy(() -> QueueFileEditor.markDone(file, before.length + 10)).isInstanceOf(QueueFileException.class);
        assertThat(Files.readAllBytes(file)).isEqualTo(now);
    }

    @Test
    void warningTimeIsRewrittenInPlace() throws IOException {
        QueueFileWriter w = QueueFileWriter.create(dir, QueueName.INCOMING, 2048);
        w.envelopeStart(ARRIVAL, "local");
        long warnAt = w.record(RecordType.WARN, String.format("%15d", 1795900000L));
        w.sender("s@example.org");
        w.beginContent();
        w.endContent();
        w.finish();
        try (QueueFileEditor e = QueueFileEditor.open(w.path())) {
            e.setWarnTime(warnAt, -1);
            assertThatThrownBy(() -> e.setWarnTime(warnAt + 1, 5)).isInstanceOf(QueueFileException.class);
        }
        try (QueueFileReader r = QueueFileReader.open(w.path())) {
            assertThat(r.envelope().first(RecordType.WARN).text()).isEqualTo(String.format("%15d", -1));
            assertThat(r.envelope().first(RecordType.WARN).offset()).isEqualTo(warnAt);
        }
    }

    @Test
    void fiftyMegabyteMessageStreamsThrough() throws Exception {
        long total = 997L * 52_600; // just over 50 MB of complete 997-byte lines
        MessageDigest in = MessageDigest.getInstance("SHA-256");
        InputStream source = new InputStream() {
            long n;

            @Override
            public int read() {
                return n < total ? next() : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (n >= total) return -1;
                int k = (int) Math.min(len, total - n);
                for (int i = 0; i < k; i++) b[off + i] = (byte) next();
                return k;
            }

            private int next() {
                long i = n++;
                int c = (i % 997 == 996) ? '\n' : 'a' + (int) (i % 23);
                in.update((byte) c);
                return c;
            }
        };
        QueueFileWriter w = QueueFileWriter.create(dir, QueueName.INCOMING, 2048);
        w.envelopeStart(ARRIVAL, "local");
        w.sender("big@example.org");
        w.recipient(QueueFileWriter.Rcpt.of("r@example.net"));
        w.beginContent();
        assertThat(w.copyContent(source)).isEqualTo(total);
        w.endContent();
        w.finish();
        MessageDigest out = MessageDigest.getInstance("SHA-256");
        try (QueueFileReader r = QueueFileReader.open(w.path()); InputStream content = r.contentStream("\n")) {
            byte[] buf = new byte[8192];
            for (int n; (n = content.read(buf)) > 0; ) out.update(buf, 0, n);
            r.verify();
        }
        assertThat(out.digest()).isEqualTo(in.digest());
    }

    @Test
    void pointerRecordsAreFollowedAndPaddingSkipped() throws IOException {
        // envelope with a pointer to a recipient appended after E, and a pointer back
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        RecordWriter w = new RecordWriter(b, 0);
        w.write(RecordType.SIZE, QueueFileWriter.sizeText(0, 0, 0, 0, 0, 0));
        w.write(RecordType.TIME, "1795808173 1");
        w.write(RecordType.FROM, "s@example.org");
        long ptrAt = w.write(RecordType.PTR, String.format("%15d", 0));
        long back = w.position();
        w.write(RecordType.MESG, "");
        w.write(RecordType.NORM, "line");
        w.write(RecordType.DTXT, "padding");
        w.write(RecordType.XTRA, "");
        w.write(RecordType.END, "");
        long heap = w.position();
        w.write(RecordType.RCPT, "added@example.net");
        w.write(RecordType.PTR, String.format("%15d", back));
        byte[] bytes = b.toByteArray();
        byte[] target = String.format("%15d", heap).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(target, 0, bytes, (int) ptrAt + 2, 15);
        Path f = tmp.resolve("ptr");
        Files.write(f, bytes);
        try (QueueFileReader r = QueueFileReader.open(f)) {
            assertThat(r.envelope().recipients()).extracting(Recipient::address, Recipient::offset).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("added@example.net", heap));
            assertThat(new String(r.contentStream("\n").readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("line\n");
            r.verify();
        }
    }

    @Test
    void damagedFilesAreDetected() throws IOException {
        byte[] good = Files.readAllBytes(writeSample(QueueName.INCOMING).path());
        // every truncation is an error: no end record, or a record cut short
        for (int cut = 0; cut < good.length; cut += (cut < 200 ? 1 : 97)) {
            Path f = tmp.resolve("cut" + cut);
            Files.write(f, Arrays.copyOf(good, cut));
            assertThatThrownBy(() -> {
                try (QueueFileReader r = QueueFileReader.open(f)) {
                    r.verify();
                }
            }).as("cut at %d", cut).isInstanceOf(QueueFileException.class).hasMessageContaining(f.toString());
        }
        Path garbage = tmp.resolve("garbage");
        Files.writeString(garbage, "this is not a queue file\n");
        assertThatThrownBy(() -> QueueFileReader.open(garbage)).isInstanceOf(QueueFileException.class)
                .hasMessageContaining("not a size record");
        // a content record in the envelope
        byte[] illegal = good.clone();
        int tAt = 97;
        assertThat(illegal[tAt]).isEqualTo((byte) 'T');
        illegal[tAt] = 'N';
        Path bad = tmp.resolve("illegal");
        Files.write(bad, illegal);
        assertThatThrownBy(() -> QueueFileReader.open(bad)).isInstanceOf(QueueFileException.class)
                .hasMessage(bad + ": record type 'N' is not allowed in the envelope segment at offset 97");
        // missing sender
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        RecordWriter w = new RecordWriter(b, 0);
        w.write(RecordType.SIZE, QueueFileWriter.sizeText(0, 0, 0, 0, 0, 0));
        w.write(RecordType.TIME, "1 2");
        w.write(RecordType.MESG, "");
        w.write(RecordType.XTRA, "");
        w.write(RecordType.END, "");
        Path noSender = tmp.resolve("nosender");
        Files.write(noSender, b.toByteArray());
        assertThatThrownBy(() -> QueueFileReader.open(noSender)).hasMessageContaining("missing sender record");
    }

    @Test
    void corruptFileMovesToCorruptWithALogLineAndOthersStayUntouched() throws IOException {
        QueueFileWriter good1 = writeSample(QueueName.INCOMING);
        QueueFileWriter bad = writeSample(QueueName.INCOMING);
        QueueFileWriter good2 = writeSample(QueueName.INCOMING);
        byte[] g1 = Files.readAllBytes(good1.path());
        byte[] g2 = Files.readAllBytes(good2.path());
        byte[] b = Files.readAllBytes(bad.path());
        Files.write(bad.path(), Arrays.copyOf(b, b.length / 2));
        // an older corrupt file with the same name is not replaced
        Files.writeString(dir.dir(QueueName.CORRUPT).resolve(bad.queueId()), "older");
        Log log = Log.of("qmgr");
        List<Path> saved = new ArrayList<>();
        for (Path p : dir.list(QueueName.INCOMING)) {
            try (QueueFileReader r = QueueFileReader.open(p)) {
                r.verify();
            } catch (QueueFileException e) {
                saved.add(dir.saveCorrupt(p, QueueName.INCOMING, e.getMessage(), log));
            }
        }
        assertThat(saved).containsExactly(dir.dir(QueueName.CORRUPT).resolve(bad.queueId() + "_1"));
        assertThat(Files.readAllBytes(saved.get(0))).isEqualTo(Arrays.copyOf(b, b.length / 2));
        assertThat(Files.readString(dir.dir(QueueName.CORRUPT).resolve(bad.queueId()))).isEqualTo("older");
        assertThat(bad.path()).doesNotExist();
        assertThat(Files.readAllBytes(good1.path())).isEqualTo(g1);
        assertThat(Files.readAllBytes(good2.path())).isEqualTo(g2);
        assertThat(dir.list(QueueName.INCOMING)).containsExactlyInAnyOrder(good1.path(), good2.path());
        assertThat(logged).hasSize(2);
        assertThat(logged.get(0)).startsWith("postfix/qmgr: warning: " + bad.path() + ": unexpected end of file");
        assertThat(logged.get(1)).isEqualTo("postfix/qmgr: warning: saving corrupt file \"" + bad.queueId()
                + "\" from queue \"incoming\" to queue \"corrupt\"");
    }

    @Test
    void maildropFilesHaveNoSizeRecordAndOnlyPostdropRecords() throws IOException {
        QueueFileWriter w = QueueFileWriter.createMaildrop(dir, 2048);
        w.time(ARRIVAL);
        w.sender("user@example.org");
        assertThatThrownBy(() -> w.record(RecordType.ORCP, "x")).isInstanceOf(IllegalArgumentException.class);
        w.attribute("rewrite_context", "local");
        w.record(RecordType.RCPT, "r@example.net");
        w.beginContent();
        w.contentLine("Subject: hi");
        w.endContent();
        assertThatThrownBy(() -> w.record(RecordType.RRTO, "x")).isInstanceOf(IllegalArgumentException.class);
        w.finish();
        assertThat(w.path()).isEqualTo(dir.path(QueueName.MAILDROP, w.queueId()));
        assertThat(mode(w.path())).isEqualTo("rwxr--r--");
        assertThat(Files.readAllBytes(w.path())[0]).isEqualTo((byte) 'T');
        try (QueueFileReader r = QueueFileReader.openMaildrop(w.path(), 2048)) {
            assertThat(r.envelope().size()).isNull();
            assertThat(r.envelope().sender()).isEqualTo("user@example.org");
            assertThat(r.envelope().recipients()).extracting(Recipient::address).containsExactly("r@example.net");
            assertThat(new String(r.contentStream("\n").readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("Subject: hi\n");
            r.verify();
        }
        // a cleanup queue file is no maildrop file (its C record is not allowed there), and vice versa
        assertThatThrownBy(() -> QueueFileReader.open(w.path())).hasMessageContaining("not a size record");
        Path queued = writeSample(QueueName.INCOMING).path();
        assertThatThrownBy(() -> QueueFileReader.openMaildrop(queued, 2048)).hasMessageContaining("record type 'C' is not allowed");
    }

    @Test
    void verifyCatchesASizeRecordPointingIntoTheContent() throws IOException {
        // a content line holding the bytes of "X" and "E" records, and a size record pointing at them
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        RecordWriter w = new RecordWriter(b, 0);
        w.write(RecordType.SIZE, QueueFileWriter.sizeText(0, 0, 0, 0, 0, 0));
        w.write(RecordType.TIME, "1 2");
        w.write(RecordType.FROM, "s@example.org");
        w.write(RecordType.MESG, "");
        long data = w.position();
        w.write(RecordType.NORM, new byte[] {'a', 'X', 0, 'E', 0});
        w.write(RecordType.XTRA, "");
        w.write(RecordType.END, "");
        byte[] bytes = b.toByteArray();
        byte[] size = QueueFileWriter.sizeText(3, data, 0, 0, 3, 0).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, bytes, 2, size.length);
        Path f = tmp.resolve("fake-x");
        Files.write(f, bytes);
        try (QueueFileReader r = QueueFileReader.open(f)) {
            assertThat(r.envelope().extractedOffset()).isEqualTo(data + 3);
            assertThatThrownBy(r::verify).isInstanceOf(QueueFileException.class)
                    .hasMessageContaining("but the extracted segment was found at " + (data + 3));
        }
    }
}
