package org.posthorn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.queue.Envelope;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.QueueName;
import org.posthorn.queue.Recipient;

class SendmailTest {
    @TempDir
    Path tmp;
    Path etc;
    QueueDirectory queue;

    @BeforeEach
    void setUp() throws IOException {
        etc = tmp.resolve("etc");
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("main.cf"), "queue_directory = " + tmp.resolve("q") + "\n");
        queue = QueueDirectory.of(Config.load(etc));
        queue.check();
    }

    /** Runs sendmail with -C and the input; returns the one maildrop file it made. */
    private Path send(String input, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("-C", etc.toString()));
        a.addAll(List.of(args));
        int rc = new Sendmail(new ByteArrayInputStream(input.getBytes(StandardCharsets.ISO_8859_1))).run(a.toArray(String[]::new));
        assertThat(rc).isZero();
        List<Path> files = queue.list(QueueName.MAILDROP);
        assertThat(files).hasSize(1);
        return files.getFirst();
    }

    private static String content(QueueFileReader r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.readContent((data, lineEnd) -> {
            out.writeBytes(data);
            out.write(lineEnd ? '\n' : '|'); // '|' marks an L record boundary
        });
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void writesPostdropRecordsAndMode0744() throws Exception {
        Path f = send("Subject: hi\n\nbody\n", "-f", "<alice@example.org>", "-F", "Alice A", "bob@example.net", "Carol <carol@x>");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rwxr--r--");
        try (QueueFileReader r = QueueFileReader.openMaildrop(f, 65536)) {
            Envelope e = r.envelope();
            assertThat(e.sender()).isEqualTo("alice@example.org");
            assertThat(e.fullName()).isEqualTo("Alice A");
            assertThat(e.attribute("rewrite_context")).isEqualTo("local");
            assertThat(e.recipients()).extracting(Recipient::address).containsExactly("bob@example.net", "carol@x");
            assertThat(content(r)).isEqualTo("Subject: hi\n\nbody\n");
        }
    }

    @Test
    void dotEndsInputUnlessDashI() throws Exception {
        Path f = send("a\n.\nb\n", "x@y");
        try (QueueFileReader r = QueueFileReader.openMaildrop(f, 65536)) {
            assertThat(content(r)).isEqualTo("a\n");
        }
        Files.delete(f);
        for (String flag : List.of("-i", "-oi")) {
            f = send("a\n.\nb\n", flag, "x@y");
            try (QueueFileReader r = QueueFileReader.openMaildrop(f, 65536)) {
                assertThat(content(r)).isEqualTo("a\n.\nb\n");
            }
            Files.delete(f);
        }
    }

    @Test
    void dropsLeadingFromLinesAndStripsCrWhenTheFirstLineHasOne() throws Exception {
        Path f = send("From someone Fri Nov 27\r\nSubject: x\r\n\r\nbody\r\r\n", "x@y");
        try (QueueFileReader r = QueueFileReader.openMaildrop(f, 65536)) {
            assertThat(content(r)).isEqualTo("Subject: x\n\nbody\n");
        }
        Files.delete(f);
        f = send("Subject: x\nbody\r\n", "x@y");
        try (QueueFileReader r = QueueFileReader.openMaildrop(f, 65536)) {
            assertThat(content(r)).isEqualTo("Subject: x\nbody\r\n"); // first line had no CR: CRs kept
        }
    }

    @Test
    void longLinesBecomeLRecordsAndAnUnterminatedLastLineIsAnLRecord() throws Exception {
        String longLine = "B".repeat(4100);
        Path f = send(longLine + "\nlast", "x@y");
        try (QueueFileReader r = QueueFileReader.openMaildrop(f, 65536)) {
            assertThat(content(r)).isEqualTo("B".repeat(2048) + "|" + "B".repeat(2048) + "|" + "BBBB\n" + "last|");
        }
    }

    @Test
    void dashTPutsHeaderRecipientsIntoTheExtractedSegmentWithNotifyFlags() throws Exception {
        Path f = send("To: a@x, \"B\" <b@y>\nCc: c@z (comment)\nBcc: undisclosed: d@w;\nSubject: t\n\nTo: not@header\n",
                "-t", "-N", "success,delay", "cmd@line");
        try (QueueFileReader r = QueueFileReader.openMaildrop(f, 65536)) {
            Envelope e = r.envelope();
            assertThat(e.recipients()).extracting(Recipient::address).containsExactly("cmd@line", "a@x", "b@y", "c@z", "d@w");
            assertThat(e.recipients()).allSatisfy(rc -> assertThat(rc.dsnNotify()).isEqualTo(10));
            assertThat(e.recipients().get(0).offset()).isLessThan(e.dataOffset());
            assertThat(e.recipients().get(1).offset()).isGreaterThan(e.extractedOffset());
            assertThat(content(r)).contains("Bcc: undisclosed: d@w;"); // removal is cleanup's job
        }
    }

    @Test
    void dashTUsesResentHeadersWhenPresent() throws Exception {
        Path f = send("To: a@x\nResent-To: r@x\nSubject: t\n\n", "-t");
        try (QueueFileReader r = QueueFileReader.openMaildrop(f, 65536)) {
            assertThat(r.envelope().recipients()).extracting(Recipient::address).containsExactly("r@x");
        }
    }

    @Test
    void dsnAndEncodingAttributesAsPostfixWritesThem() throws Exception {
        Path f = send("x\n", "-R", "hdrs", "-V", "env-1", "-B", "8BITMIME", "-XV", "-f", "s@q", "x@y");
        try (QueueFileReader r = QueueFileReader.openMaildrop(f, 65536)) {
            Envelope e = r.envelope();
            assertThat(e.attributes()).containsEntry("ret_flags", "2").containsEntry("envelope_id", "env-1")
                    .containsEntry("encoding", "8bit");
            assertThat(e.records()).anySatisfy(rec -> assertThat(rec.text()).isEqualTo("+="));
        }
    }

    @Test
    void noRecipientsIsFatalWithPostfixText() {
        assertThatThrownBy(() -> new Sendmail(new ByteArrayInputStream(new byte[0])).run(new String[]{"-C", etc.toString(), "-f", "s@q"}))
                .isInstanceOf(CommandFailure.class)
                .hasMessageEndingWith("s@q(0): Recipient addresses must be specified on the command line or via the -t option")
                .extracting(e -> ((CommandFailure) e).status()).isEqualTo(75);
        assertThatThrownBy(() -> send("Subject: none\n\n", "-t", "-f", "s@q"))
                .hasMessageEndingWith("s@q(0): No recipient addresses found in message header");
    }

    @Test
    void unauthorizedSubmitter() throws Exception {
        Files.writeString(etc.resolve("main.cf"), "authorized_submit_users = !root, static:anyone\n", java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> send("x\n", "x@y")).isInstanceOf(CommandFailure.class)
                .hasMessage("User root(0) is not allowed to submit mail");
        assertThat(queue.list(QueueName.MAILDROP)).isEmpty();
    }

    @Test
    void dashQWithTheMasterDownSaysSoLikePostqueue() {
        assertThatThrownBy(() -> new Sendmail().run(new String[]{"-C", etc.toString(), "-q"}))
                .hasMessage("Cannot flush mail queue - mail system is down")
                .extracting(e -> ((CommandFailure) e).status()).isEqualTo(69);
    }
}
