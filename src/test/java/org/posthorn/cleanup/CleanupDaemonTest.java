package org.posthorn.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.log.LogSink;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.QueueName;

/** The cleanup daemon through its seam: outcomes, limits, the files left behind and the log. */
class CleanupDaemonTest {
    @TempDir
    Path tmp;
    QueueDirectory queue;
    final List<String> log = new CopyOnWriteArrayList<>();
    final Map<String, String> conf = new HashMap<>();

    static final Origin REMOTE = new Origin("mail.example.org", "192.0.2.7", 40000, "mail.example.org",
            "mail.example.org", "ESMTP", null, null, "192.0.2.1", 25);
    static final Origin LOOPBACK = new Origin("localhost", "127.0.0.1", 40000, "localhost",
            "client.example.org", "ESMTP", null, null, "127.0.0.1", 25);

    @BeforeEach
    void setUp() throws IOException {
        queue = QueueDirectory.of(tmp.resolve("spool"));
        queue.setPermissions();
        conf.put("myhostname", "mx.example.test");
        conf.put("mydestination", "");
        Log.setStderr(false);
        Log.addSink(new LogSink() {
            @Override
            public void write(Log.Severity severity, String tag, long pid, String text) {
                log.add(text);
            }
        });
    }

    @AfterEach
    void tearDown() {
        Log.clearSinks();
        Log.setStderr(true);
    }

    CleanupDaemon daemon() throws Exception {
        return new CleanupDaemon(Config.of(tmp, conf), queue, Log.of("cleanup"));
    }

    Path table(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    Cleanup.Result submit(CleanupDaemon d, Origin origin, String sender, List<String> rcpts, String content,
                          String[] id) throws Exception {
        Cleanup.Submission s = d.open(Envelope.of(sender, Instant.parse("2026-11-27T20:47:00Z")), origin);
        id[0] = s.queueId();
        for (String r : rcpts) s.addRecipient(Recipient.of(r));
        for (String line : content.split("\n", -1)) s.line(line);
        return s.finish();
    }

    String contentOf(QueueName q, String id) throws IOException {
        try (QueueFileReader r = QueueFileReader.open(queue.path(q, id));
             InputStream in = r.contentStream("\n")) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    List<String> filesIn(QueueName q) throws IOException {
        try (Stream<Path> s = Files.walk(queue.dir(q))) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void queuedMessageGetsMissingHeadersAndIsComplete() throws Exception {
        String[] id = new String[1];
        Cleanup.Result r = submit(daemon(), LOOPBACK, "alice", List.of("bob@example.net"), "Subject: hi\n\nbody", id);
        assertThat(r).isEqualTo(new Cleanup.Result.Queued(id[0]));
        assertThat(filesIn(QueueName.INCOMING)).containsExactly(id[0]);
        assertThat(Files.getPosixFilePermissions(queue.path(QueueName.INCOMING, id[0])).toString()).contains("OWNER_EXECUTE");
        String content = contentOf(QueueName.INCOMING, id[0]);
        assertThat(content).startsWith("Subject: hi\nMessage-Id: <")
                .contains("@mx.example.test>\nDate: Fri, 27 Nov 2026 ")
                .endsWith("\nFrom: alice@mx.example.test\n\nbody\n");
        try (QueueFileReader reader = QueueFileReader.open(queue.path(QueueName.INCOMING, id[0]))) {
            assertThat(reader.envelope().sender()).isEqualTo("alice@mx.example.test");
            assertThat(reader.envelope().attribute("rewrite_context")).isEqualTo("local");
            assertThat(reader.envelope().attribute("log_message_origin")).isEqualTo("localhost[127.0.0.1]");
        }
        assertThat(log).anyMatch(l -> l.matches(id[0] + ": message-id=<\\d{14}\\." + id[0] + "@mx\\.example\\.test>"));
    }

    @Test
    void remoteClientGetsNoHeadersAddedAndHeaderAddressesLeftIncomplete() throws Exception {
        String[] id = new String[1];
        submit(daemon(), REMOTE, "alice@example.org", List.of("bob@example.net"), "To: bob\nSubject: hi\n\nbody", id);
        assertThat(contentOf(QueueName.INCOMING, id[0])).isEqualTo("To: bob\nSubject: hi\n\nbody\n");
        assertThat(log).contains(id[0] + ": message-id=<>");
    }

    @Test
    void alwaysAddMissingHeadersAndRemoteHeaderRewriteDomain() throws Exception {
        conf.put("always_add_missing_headers", "yes");
        conf.put("remote_header_rewrite_domain", "domain.invalid");
        String[] id = new String[1];
        submit(daemon(), REMOTE, "alice@example.org", List.of("bob@example.net"), "To: bob\n\nbody", id);
        assertThat(contentOf(QueueName.INCOMING, id[0])).startsWith("To: bob@domain.invalid\nMessage-Id: <")
                .contains("\nFrom: alice@example.org\n\nbody\n");
    }

    @Test
    void undisclosedRecipientsHeaderWhenNoRecipientHeader() throws Exception {
        conf.put("undisclosed_recipients_header", "To: undisclosed-recipients:;");
        String[] id = new String[1];
        submit(daemon(), LOOPBACK, "a@example.org", List.of("b@example.net"), "Subject: s\n\nbody", id);
        assertThat(contentOf(QueueName.INCOMING, id[0])).contains("\nTo: undisclosed-recipients:;\n\nbody");
    }

    @Test
    void headerRejectLeavesNoFileAndLogsAsPostfix() throws Exception {
        conf.put("header_checks", "regexp:" + table("hc", "/^Subject: spam/ REJECT 5.7.0 go away\n"));
        String[] id = new String[1];
        Cleanup.Result r = submit(daemon(), LOOPBACK, "a@example.org", List.of("b@example.net"), "Subject: spam\n\nbody", id);
        assertThat(r).isEqualTo(new Cleanup.Result.Rejected(550, "5.7.0", "go away"));
        assertThat(filesIn(QueueName.INCOMING)).isEmpty();
        assertThat(log).contains(id[0] + ": reject: header Subject: spam from localhost[127.0.0.1]; from=<a@example.org> "
                + "to=<b@example.net> proto=ESMTP helo=<client.example.org>: 5.7.0 go away");
    }

    @Test
    void temporaryRejectCodeFromEnhancedStatus() throws Exception {
        conf.put("body_checks", "regexp:" + table("bc", "/later/ REJECT 4.7.1 try later\n"));
        String[] id = new String[1];
        Cleanup.Result r = submit(daemon(), LOOPBACK, "a@example.org", List.of("b@example.net"), "Subject: x\n\ncome later", id);
        assertThat(r).isEqualTo(new Cleanup.Result.Rejected(450, "4.7.1", "try later"));
    }

    @Test
    void discardAnswersQueuedButKeepsNothing() throws Exception {
        conf.put("body_checks", "regexp:" + table("bc", "/^drop me/ DISCARD\n"));
        String[] id = new String[1];
        Cleanup.Result r = submit(daemon(), LOOPBACK, "a@example.org", List.of("b@example.net"), "Subject: x\n\ndrop me", id);
        assertThat(r).isEqualTo(new Cleanup.Result.Queued(id[0]));
        assertThat(filesIn(QueueName.INCOMING)).isEmpty();
        assertThat(filesIn(QueueName.HOLD)).isEmpty();
        assertThat(log).anyMatch(l -> l.startsWith(id[0] + ": discard: body drop me from localhost[127.0.0.1];"));
    }

    @Test
    void holdWritesIntoHold() throws Exception {
        conf.put("header_checks", "pcre:" + table("hc", "/^X-Hold:/ HOLD\n"));
        String[] id = new String[1];
        submit(daemon(), LOOPBACK, "a@example.org", List.of("b@example.net"), "X-Hold: 1\n\nbody", id);
        assertThat(filesIn(QueueName.INCOMING)).isEmpty();
        assertThat(filesIn(QueueName.HOLD)).containsExactly(id[0]);
        assertThat(log).anyMatch(l -> l.startsWith(id[0] + ": hold: header X-Hold: 1 from localhost[127.0.0.1];")
                && l.endsWith("helo=<client.example.org>"));
    }

    @Test
    void aHeldMessageGivesItsInFlowTokenBack() throws Exception {
        // qmgr never takes mail from hold/, so only cleanup can return the token (as Postfix's does)
        conf.put("header_checks", "regexp:" + table("hc", "/^X-Hold:/ HOLD\n"));
        CleanupDaemon d = daemon();
        org.posthorn.qmgr.InFlow flow = new org.posthorn.qmgr.InFlow(1, java.time.Duration.ofSeconds(30));
        d.inFlow(() -> flow);
        String[] id = new String[1];
        submit(d, LOOPBACK, "a@example.org", List.of("b@example.net"), "X-Hold: 1\n\nbody", id);
        assertThat(filesIn(QueueName.HOLD)).containsExactly(id[0]);
        assertThat(flow.available()).isEqualTo(1);
        submit(d, LOOPBACK, "a@example.org", List.of("b@example.net"), "Subject: x\n\nbody", id);
        assertThat(filesIn(QueueName.INCOMING)).containsExactly(id[0]);
        assertThat(flow.available()).as("mail in incoming/ keeps its token until qmgr takes it").isZero();
    }

    @Test
    void accessHoldAndDiscardFromSmtpd() throws Exception {
        conf.put("header_checks", "regexp:" + table("hc", "/^X-Hold:/ HOLD\n"));
        CleanupDaemon d = daemon();
        Cleanup.Submission held = d.open(Envelope.of("a@example.org", Instant.now()), LOOPBACK);
        ((SubmissionFlags) held).hold();
        held.addRecipient(Recipient.of("b@example.net"));
        held.line("X-Hold: 1");
        assertThat(held.finish()).isInstanceOf(Cleanup.Result.Queued.class);
        assertThat(filesIn(QueueName.HOLD)).containsExactly(held.queueId());
        assertThat(log).noneMatch(l -> l.contains(": hold: header"));
        Cleanup.Submission dropped = d.open(Envelope.of("a@example.org", Instant.now()), LOOPBACK);
        ((SubmissionFlags) dropped).discard();
        dropped.addRecipient(Recipient.of("b@example.net"));
        dropped.line("Subject: x");
        assertThat(dropped.finish()).isEqualTo(new Cleanup.Result.Queued(dropped.queueId()));
        assertThat(filesIn(QueueName.INCOMING)).isEmpty();
    }

    @Test
    void messageSizeLimit() throws Exception {
        conf.put("message_size_limit", "100");
        String[] id = new String[1];
        Cleanup.Result r = submit(daemon(), LOOPBACK, "a@example.org", List.of("b@example.net"),
                "Subject: big\n\n" + "x".repeat(60) + "\n" + "y".repeat(60), id);
        assertThat(r).isEqualTo(new Cleanup.Result.Rejected(552, "5.3.4", "Error: message file too big"));
        assertThat(filesIn(QueueName.INCOMING)).isEmpty();
    }

    @Test
    void hopcountLimit() throws Exception {
        conf.put("hopcount_limit", "3");
        String[] id = new String[1];
        Cleanup.Result r = submit(daemon(), LOOPBACK, "a@example.org", List.of("b@example.net"),
                "Received: a\nReceived: b\nReceived: c\n\nbody", id);
        assertThat(r).isEqualTo(new Cleanup.Result.Rejected(554, "5.4.0", "Error: too many hops"));
        assertThat(filesIn(QueueName.INCOMING)).isEmpty();
        conf.put("hopcount_limit", "4");
        assertThat(submit(daemon(), LOOPBACK, "a@example.org", List.of("b@example.net"),
                "Received: a\nReceived: b\nReceived: c\n\nbody", id)).isInstanceOf(Cleanup.Result.Queued.class);
    }

    @Test
    void headerSizeLimitKeepsTheBufferBounded() throws Exception {
        conf.put("header_size_limit", "1000");
        String[] id = new String[1];
        StringBuilder huge = new StringBuilder("X-Huge: start");
        for (int i = 0; i < 500; i++) huge.append("\n continuation line ").append(i);
        submit(daemon(), LOOPBACK, "a@example.org", List.of("b@example.net"), huge + "\nSubject: after\n\nbody", id);
        String content = contentOf(QueueName.INCOMING, id[0]);
        String header = content.substring(0, content.indexOf("\nSubject: after"));
        assertThat(header.length()).isLessThanOrEqualTo(1000);
        assertThat(content).contains("\nSubject: after\n").endsWith("\n\nbody\n");
    }

    @Test
    void abortLeavesNothing() throws Exception {
        Cleanup.Submission s = daemon().open(Envelope.of("a@example.org", Instant.now()), LOOPBACK);
        s.addRecipient(Recipient.of("b@example.net"));
        s.line("Subject: x");
        s.abort();
        s.abort();
        assertThat(filesIn(QueueName.INCOMING)).isEmpty();
    }

    @Test
    void longLinesArriveInPiecesAndStayWhole() throws Exception {
        CleanupDaemon d = daemon();
        Cleanup.Submission s = d.open(Envelope.of("a@example.org", Instant.now()), LOOPBACK);
        s.addRecipient(Recipient.of("b@example.net"));
        s.line("Subject: x");
        s.line("");
        byte[] part = "z".repeat(1500).getBytes(StandardCharsets.US_ASCII);
        s.record(part, 0, part.length, false);
        s.record(part, 0, part.length, true);
        assertThat(s.finish()).isInstanceOf(Cleanup.Result.Queued.class);
        assertThat(contentOf(QueueName.INCOMING, s.queueId())).endsWith("\n\n" + "z".repeat(3000) + "\n");
    }

    @Test
    void virtualAliasExpansionAndLimits() throws Exception {
        conf.put("virtual_alias_maps", "regexp:" + table("va", """
                /^list@example\\.net$/ a@example.net, b@example.net
                /^a@example\\.net$/ c@example.net
                /^(grow[0-9]*)@example\\.net$/ ${1}1@example.net, x@example.net
                /^wide@example\\.net$/ w1@example.org, w2@example.org, w3@example.org, w4@example.org
                """));
        String[] id = new String[1];
        submit(daemon(), LOOPBACK, "s@example.org", List.of("list@example.net"), "Subject: x\n\nbody", id);
        try (QueueFileReader r = QueueFileReader.open(queue.path(QueueName.INCOMING, id[0]))) {
            assertThat(r.envelope().recipients()).extracting(org.posthorn.queue.Recipient::address)
                    .containsExactly("c@example.net", "b@example.net");
            assertThat(r.envelope().recipients()).extracting(org.posthorn.queue.Recipient::originalAddress)
                    .containsOnly("list@example.net");
        }
        conf.put("virtual_alias_recursion_limit", "5");
        Cleanup.Result deep = submit(daemon(), LOOPBACK, "s@example.org", List.of("grow@example.net"), "S: x\n\nbody", id);
        assertThat(deep).isEqualTo(new Cleanup.Result.Rejected(451, "4.3.0", "Error: queue file write error"));
        assertThat(log).anyMatch(l -> l.contains("unreasonable virtual_alias_maps map nesting for grow@example.net"));
        conf.put("virtual_alias_recursion_limit", "1000");
        conf.put("virtual_alias_expansion_limit", "3");
        Cleanup.Result wide = submit(daemon(), LOOPBACK, "s@example.org", List.of("wide@example.net"), "S: x\n\nbody", id);
        assertThat(wide).isInstanceOf(Cleanup.Result.Rejected.class);
        assertThat(log).anyMatch(l -> l.contains("unreasonable virtual_alias_maps map expansion size for wide@example.net"));
        assertThat(filesIn(QueueName.INCOMING)).hasSize(1);
    }

    @Test
    void canonicalClassesAndMasqueradeClasses() throws Exception {
        conf.put("canonical_maps", "regexp:" + table("c", "/^u@example\\.com$/ canon@host.example.com\n"));
        conf.put("canonical_classes", "envelope_sender");
        conf.put("masquerade_domains", "example.com");
        conf.put("masquerade_classes", "envelope_sender, envelope_recipient");
        String[] id = new String[1];
        submit(daemon(), LOOPBACK, "u@example.com", List.of("u@example.com", "r@a.example.com"),
                "From: u@example.com\nTo: r@a.example.com\n\nbody", id);
        try (QueueFileReader r = QueueFileReader.open(queue.path(QueueName.INCOMING, id[0]))) {
            assertThat(r.envelope().sender()).isEqualTo("canon@example.com");
            assertThat(r.envelope().recipients()).extracting(org.posthorn.queue.Recipient::address)
                    .containsExactly("u@example.com", "r@example.com");
        }
        assertThat(contentOf(QueueName.INCOMING, id[0])).startsWith("From: u@example.com\nTo: r@a.example.com\n");
    }

    @Test
    void senderAndRecipientCanonicalClasses() throws Exception {
        conf.put("sender_canonical_maps", "regexp:" + table("sc", "/^s@example\\.org$/ sender-new@example.org\n"));
        conf.put("recipient_canonical_maps", "regexp:" + table("rc", "/^r@example\\.org$/ rcpt-new@example.org\n"));
        conf.put("sender_canonical_classes", "header_sender");
        conf.put("recipient_canonical_classes", "envelope_recipient");
        String[] id = new String[1];
        submit(daemon(), LOOPBACK, "s@example.org", List.of("r@example.org"), "From: s@example.org\nTo: r@example.org\n\nb", id);
        try (QueueFileReader r = QueueFileReader.open(queue.path(QueueName.INCOMING, id[0]))) {
            assertThat(r.envelope().sender()).isEqualTo("s@example.org");
            assertThat(r.envelope().recipients().getFirst().address()).isEqualTo("rcpt-new@example.org");
        }
        assertThat(contentOf(QueueName.INCOMING, id[0])).startsWith("From: sender-new@example.org\nTo: r@example.org\n");
    }

    @Test
    void duplicateRecipientsAreDroppedOnlyWhenIdentical() throws Exception {
        CleanupDaemon d = daemon();
        Cleanup.Submission s = d.open(Envelope.of("a@example.org", Instant.now()), LOOPBACK);
        s.addRecipient(Recipient.of("b@example.net"));
        s.addRecipient(Recipient.of("b@example.net"));
        s.addRecipient(new Recipient("b@example.net", java.util.Set.of(Recipient.Notify.NEVER), null));
        s.line("Subject: x");
        s.finish();
        try (QueueFileReader r = QueueFileReader.open(queue.path(QueueName.INCOMING, s.queueId()))) {
            assertThat(r.envelope().recipients()).hasSize(2);
            assertThat(r.envelope().size().recipientCount()).isEqualTo(2);
        }
    }

    @Test
    void sendmailVerboseTraceFlagsGoIntoTheQueueFile() throws Exception {
        Cleanup.Submission s = daemon().open(new Envelope("a@example.org", Instant.now(), -1, null, false, null, null,
                null, null, 1024), LOOPBACK);
        s.addRecipient(Recipient.of("b@example.net"));
        s.line("Subject: x");
        s.finish();
        try (QueueFileReader r = QueueFileReader.open(queue.path(QueueName.INCOMING, s.queueId()))) {
            assertThat(r.envelope().attribute("trace_flags")).isEqualTo("1024");
        }
    }

    @Test
    void dsnAttributesAndQmgrFlags() throws Exception {
        CleanupDaemon d = daemon();
        Cleanup.Submission s = d.open(new Envelope("a@example.org", Instant.now(), -1, null, false, "FULL", "id-1"), LOOPBACK);
        s.addRecipient(new Recipient("b@example.net", java.util.Set.of(Recipient.Notify.DELAY, Recipient.Notify.FAILURE),
                "rfc822;orig@example.net"));
        s.line("Subject: x");
        s.finish();
        try (QueueFileReader r = QueueFileReader.open(queue.path(QueueName.INCOMING, s.queueId()))) {
            assertThat(r.envelope().attribute("envelope_id")).isEqualTo("id-1");
            assertThat(r.envelope().attribute("ret_flags")).isEqualTo("1");
            org.posthorn.queue.Recipient rcpt = r.envelope().recipients().getFirst();
            assertThat(rcpt.dsnNotify()).isEqualTo(12);
            assertThat(rcpt.dsnOrigRcpt()).isEqualTo("rfc822;orig@example.net");
            assertThat(r.envelope().size().qmgrFlags()).isEqualTo(24);
        }
    }

    @Test
    void mimePartHeadersGoToMimeHeaderChecksNotBodyChecks() throws Exception {
        conf.put("mime_header_checks", "regexp:" + table("mhc", "/^Content-Disposition: attachment; filename=\"bad/ REJECT no\n"));
        conf.put("body_checks", "regexp:" + table("bc", "/^Content-Disposition/ REJECT body\n"));
        String[] id = new String[1];
        Cleanup.Result r = submit(daemon(), LOOPBACK, "a@example.org", List.of("b@example.net"),
                "Content-Type: multipart/mixed; boundary=xyz\n\n--xyz\nContent-Type: text/plain\n\nhello\n--xyz\n"
                        + "Content-Disposition: attachment; filename=\"bad.exe\"\n\ndata\n--xyz--\n", id);
        assertThat(r).isEqualTo(new Cleanup.Result.Rejected(550, "5.7.1", "no"));
        conf.put("disable_mime_input_processing", "yes");
        r = submit(daemon(), LOOPBACK, "a@example.org", List.of("b@example.net"),
                "Content-Type: multipart/mixed; boundary=xyz\n\n--xyz\n"
                        + "Content-Disposition: attachment; filename=\"bad.exe\"\n\ndata\n--xyz--\n", id);
        assertThat(r).isEqualTo(new Cleanup.Result.Rejected(550, "5.7.1", "body"));
    }

    @Test
    void badTableIsReportedAtStart() {
        conf.put("header_checks", "regexp:" + tmp.resolve("missing"));
        org.assertj.core.api.Assertions.assertThatThrownBy(this::daemon)
                .isInstanceOf(org.posthorn.table.TableException.class);
    }

    @Test
    void manySubmissionsAtOnce() throws Exception {
        CleanupDaemon d = daemon();
        List<Thread> threads = new ArrayList<>();
        List<Cleanup.Result> results = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 20; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    String[] id = new String[1];
                    results.add(submit(d, LOOPBACK, "a@example.org", List.of("b@example.net"), "Subject: x\n\nbody", id));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertThat(results).hasSize(20).allMatch(r -> r instanceof Cleanup.Result.Queued);
        assertThat(filesIn(QueueName.INCOMING)).hasSize(20);
    }
}
