package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.posthorn.queue.Envelope;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileEditor;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;
import org.posthorn.queue.Recipient;
import org.posthorn.queue.Record;
import org.posthorn.queue.Segment;

/**
 * Queue files between Posthorn and a real Postfix, both ways: a file made by Postfix's
 * cleanup (mail held on arrival by {@code check_client_access static:HOLD}) is read by our
 * reader exactly as postcat shows it; a file made by our writer inside Postfix's queue is
 * listed by Postfix's showq, released by postsuper and delivered by Postfix's qmgr and
 * smtp client to a sink here, skipping the recipient we marked done in place.
 * Needs root and Debian's postfix package; fails, with the reason, when either is missing.
 */
@Tag("interop")
class RealPostfixQueueFileTest {
    static Path base;
    static int smtpPort;
    static Sink sink;
    static Path script;

    @BeforeAll
    static void startPostfix() throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), "posthorn-queue-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        script = base.resolve("queue-postfix.sh");
        try (InputStream in = RealPostfixQueueFileTest.class.getResourceAsStream("queue-postfix.sh")) {
            Files.copy(in, script);
        }
        sink = new Sink();
        smtpPort = freePort();
        PostcatOracle.Result r = PostcatOracle.run(List.of("bash", script.toString(), base.toString(),
                Integer.toString(smtpPort), Integer.toString(sink.port()), "start",
                "smtpd_client_restrictions = check_client_access static:HOLD",
                // deliver long lines unfolded, so the sink sees exactly the queued content
                "smtp_line_length_limit = 0"));
        if (r.status() != 0) {
            throw new IllegalStateException("cannot start the reference Postfix (exit " + r.status() + "): "
                    + r.err() + r.text() + " -- these tests need root and Debian's postfix package");
        }
        waitFor(() -> canConnect(smtpPort), "Postfix smtpd on port " + smtpPort);
    }

    @AfterAll
    static void stopPostfix() throws Exception {
        if (script != null) PostcatOracle.run(List.of("bash", script.toString(), base.toString(), "0", "0", "stop"));
        if (sink != null) sink.close();
        if (base != null) {
            try (var walk = Files.walk(base)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static PostcatOracle.Result postfixTool(String tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool, "-c", base.resolve("etc").toString()));
        cmd.addAll(List.of(args));
        PostcatOracle.Result r = PostcatOracle.run(cmd);
        assertThat(r.status()).as("%s %s: %s", tool, String.join(" ", args), r.err()).isZero();
        return r;
    }

    private static QueueDirectory postfixQueue() {
        return new QueueDirectory(base.resolve("spool"), List.of("deferred", "defer"), 1, false,
                QueueDirectory.Ownership.SINGLE_USER, "postfix", "postdrop", Clock.systemUTC());
    }

    @Test
    void weReadAFileWrittenByPostfixsCleanup() throws Exception {
        String body = "Subject: from postfix\r\nFrom: a@example.org\r\n\r\nhello\r\n" + "x".repeat(5000)
                + "\r\n.leading dot\r\n\r\nend\r\n";
        String id = submit("sender@example.org",
                List.of("<r1@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;R1@example.net", "<r2@example.net>"), body);
        QueueDirectory q = postfixQueue();
        Path file = q.path(QueueName.HOLD, id);
        waitFor(() -> Files.exists(file) && PosixFilePermissions.toString(Files.getPosixFilePermissions(file)).equals("rwx------"),
                "held queue file " + file);

        // record for record, our raw reader agrees with postcat's offsets, types and values
        List<Record> records = PostcatOracle.records(file);
        PostcatOracle.Result raw = postfixTool("postcat", "-o", "-d", "-r", "-q", id);
        assertThat(raw.text()).isEqualTo(PostcatOracle.expectedOffsetsOutput(records, "hold/" + id));

        try (QueueFileReader r = QueueFileReader.open(file)) {
            r.verify();
            Envelope e = r.envelope();
            assertThat(e.sender()).isEqualTo("sender@example.org");
            assertThat(e.attribute("log_ident")).isEqualTo(id);
            assertThat(e.attribute("rewrite_context")).isEqualTo("local"); // a client in local_header_rewrite_clients
            assertThat(e.attribute("client_address")).isEqualTo("127.0.0.1");
            assertThat(e.size().recipientCount()).isEqualTo(2);
            assertThat(e.size().dataOffset()).isEqualTo(e.dataOffset());
            assertThat(e.dataOffset() + e.size().contentSize()).isEqualTo(e.extractedOffset());
            assertThat(e.recipients()).hasSize(2);
            Recipient r1 = e.recipients().get(0);
            assertThat(r1.address()).isEqualTo("r1@example.net");
            assertThat(r1.originalAddress()).isEqualTo("r1@example.net");
            assertThat(r1.dsnOrigRcpt()).isEqualTo("rfc822;R1@example.net");
            assertThat(r1.dsnNotify()).isEqualTo(6); // SUCCESS (2) | FAILURE (4)
            assertThat(e.recipients().get(1).dsnNotify()).isZero();
            // recipient offsets are those postcat prints for the recipient records
            List<Long> postcatOffsets = new ArrayList<>();
            Matcher m = Pattern.compile("(?m)^\\s*(\\d+)\\s+82 recipient: ").matcher(raw.text());
            while (m.find()) postcatOffsets.add(Long.parseLong(m.group(1)));
            assertThat(e.recipients()).extracting(Recipient::offset).containsExactlyElementsOf(postcatOffsets);
            // the content is what postcat shows as headers and body
            byte[] ours = r.contentStream("\n").readAllBytes();
            assertThat(postfixTool("postcat", "-bh", "-q", id).out()).isEqualTo(ours);
            String text = new String(ours, StandardCharsets.UTF_8);
            assertThat(text).startsWith("Received: from ").contains("Subject: from postfix\n")
                    .endsWith("\nhello\n" + "x".repeat(5000) + "\n.leading dot\n\nend\n");
        }
        // the envelope records show the same way through our record reading
        StringBuilder envelope = new StringBuilder();
        for (Record rec : records) {
            if (rec.code() == 'M') break;
            envelope.append(PostcatOracle.line(rec, Segment.ENVELOPE)).append('\n');
        }
        String postcatEnvelope = postfixTool("postcat", "-e", "-q", id).text();
        assertThat(postcatEnvelope).startsWith("*** ENVELOPE RECORDS hold/" + id + " ***\n" + envelope);
        postfixTool("postsuper", "-d", id, "hold");
    }

    @Test
    void postfixListsAndDeliversAFileWeWrote() throws Exception {
        QueueDirectory q = postfixQueue();
        QueueFileWriter w = QueueFileWriter.create(q, QueueName.INCOMING, 2048);
        String content = "Subject: written by Posthorn\r\nFrom: sender@example.org\r\n\r\nline one\r\n"
                + "w".repeat(4500) + "\r\n.dotted\r\n\r\nlast\r\n";
        w.envelopeStart(Instant.now(), "remote");
        w.sender("posthorn@example.org");
        w.recipient(new QueueFileWriter.Rcpt("rfc822;done@example.net", 0, "done@example.net", "done@example.net"));
        w.recipient(new QueueFileWriter.Rcpt("rfc822;one@example.net", 0, "one@example.net", "one@example.net"));
        w.recipient(QueueFileWriter.Rcpt.of("two@example.net"));
        w.beginContent();
        w.copyContent(new java.io.ByteArrayInputStream(content.getBytes(StandardCharsets.US_ASCII)));
        w.endContent();
        String id = w.finish(QueueName.HOLD);
        Path file = w.path();
        UserPrincipal postfix = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postfix");
        Files.setOwner(file, postfix);
        try (QueueFileReader r = QueueFileReader.open(file)) {
            QueueFileEditor.markDone(file, r.envelope().recipients().get(0).offset());
        }

        // showq reads our file: held ("!"), sender and the two pending recipients
        String listing = postfixTool("postqueue", "-p").text();
        assertThat(listing).contains(id + "!").contains("posthorn@example.org").contains("one@example.net")
                .contains("two@example.net").doesNotContain("done@example.net");

        // release it; qmgr and smtp deliver it to the sink, without the recipient marked done
        sink.received.clear();
        postfixTool("postsuper", "-H", id);
        postfixTool("postqueue", "-f");
        Sink.Mail mail = sink.received.poll(30, TimeUnit.SECONDS);
        assertThat(mail).as("delivery by Postfix to the sink; log: %s", log()).isNotNull();
        assertThat(mail.sender()).isEqualTo("posthorn@example.org");
        assertThat(mail.recipients()).containsExactlyInAnyOrder("one@example.net", "two@example.net");
        assertThat(mail.data()).isEqualTo(content);
        waitFor(() -> !Files.exists(q.path(QueueName.DEFERRED, id)) && !Files.exists(q.path(QueueName.ACTIVE, id))
                && !Files.exists(q.path(QueueName.HOLD, id)), "removal of " + id + " from Postfix's queue");
        assertThat(q.list(QueueName.CORRUPT)).isEmpty();
        // postlogd writes the maillog_file line a moment after qmgr unlinked the file
        waitFor(() -> log().contains(id + ": removed"), "Postfix's log of the removal of " + id);
        assertThat(log()).doesNotContain("corrupt");
    }

    @Test
    void postfixsPickupTakesAMaildropFileWeWrote() throws Exception {
        QueueDirectory q = postfixQueue();
        QueueFileWriter w = QueueFileWriter.createMaildrop(q, 2048);
        w.time(Instant.now());
        w.record(org.posthorn.queue.RecordType.FULL, "Posthorn Test");
        w.sender("maildrop@example.org");
        w.record(org.posthorn.queue.RecordType.RCPT, "picked@example.net");
        w.beginContent();
        w.copyContent(new java.io.ByteArrayInputStream(("Subject: via maildrop\n\nbody line\n" + "m".repeat(3000) + "\n")
                .getBytes(StandardCharsets.US_ASCII)));
        w.endContent();
        String id = w.finish();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(w.path()))).isEqualTo("rwxr--r--");
        sink.received.clear();
        postfixTool("postkick", "public", "pickup", "W");
        Sink.Mail mail = sink.received.poll(30, TimeUnit.SECONDS);
        assertThat(mail).as("delivery of maildrop file %s; log: %s", id, log()).isNotNull();
        assertThat(mail.sender()).isEqualTo("maildrop@example.org");
        assertThat(mail.recipients()).containsExactly("picked@example.net");
        // cleanup added its headers (From: from the full name); our header and body came through intact
        assertThat(mail.data()).contains("\r\nSubject: via maildrop\r\n").contains("From: Posthorn Test <maildrop@example.org>\r\n")
                .endsWith("\r\n\r\nbody line\r\n" + "m".repeat(3000) + "\r\n");
        assertThat(w.path()).doesNotExist();
        assertThat(log()).contains("uid=0 from=<maildrop@example.org>");
    }

    private static String log() throws IOException {
        Path log = base.resolve("maillog");
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    /** Sends one message over SMTP and returns the queue ID from the 250 reply. */
    private static String submit(String sender, List<String> rcptArgs, String body) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), smtpPort)) {
            s.setSoTimeout(20000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            expect(in, "220");
            send(out, "EHLO client.example.org");
            expect(in, "250");
            send(out, "MAIL FROM:<" + sender + ">");
            expect(in, "250");
            for (String rcpt : rcptArgs) {
                send(out, "RCPT TO:" + rcpt);
                expect(in, "250");
            }
            send(out, "DATA");
            expect(in, "354");
            out.write(body.replace("\r\n.", "\r\n..").getBytes(StandardCharsets.US_ASCII));
            send(out, ".");
            String reply = expect(in, "250");
            send(out, "QUIT");
            Matcher m = Pattern.compile("queued as ([0-9A-Za-z]+)").matcher(reply);
            assertThat(m.find()).as("queue ID in %s", reply).isTrue();
            return m.group(1);
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String expect(BufferedReader in, String code) throws IOException {
        String line;
        StringBuilder all = new StringBuilder();
        do {
            line = in.readLine();
            if (line == null) throw new IOException("connection closed; got so far: " + all);
            all.append(line).append('\n');
        } while (line.length() > 3 && line.charAt(3) == '-');
        assertThat(line).as("reply").startsWith(code);
        return all.toString();
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition c, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + "; log: " + log());
            Thread.sleep(100);
        }
    }

    private static boolean canConnect(int port) {
        try {
            new Socket(InetAddress.getLoopbackAddress(), port).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A minimal SMTP server on loopback that accepts everything and hands each message over. */
    static final class Sink implements AutoCloseable {
        record Mail(String sender, List<String> recipients, String data) {
        }

        final BlockingQueue<Mail> received = new LinkedBlockingQueue<>();
        private final ServerSocket server;

        Sink() throws IOException {
            server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::acceptLoop);
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> session(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void session(Socket s) {
            try (s) {
                s.setSoTimeout(30000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                send(out, "220 sink.test ESMTP");
                String sender = null;
                List<String> rcpts = new ArrayList<>();
                for (String line; (line = in.readLine()) != null; ) {
                    String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
                    switch (verb) {
                        case "EHLO", "HELO" -> send(out, "250 sink.test");
                        case "MAIL" -> {
                            sender = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                            rcpts = new ArrayList<>();
                            send(out, "250 2.1.0 Ok");
                        }
                        case "RCPT" -> {
                            rcpts.add(line.substring(line.indexOf('<') + 1, line.indexOf('>')));
                            send(out, "250 2.1.5 Ok");
                        }
                        case "DATA" -> {
                            send(out, "354 End data with <CR><LF>.<CR><LF>");
                            StringBuilder data = new StringBuilder();
                            for (String d; (d = in.readLine()) != null && !d.equals("."); ) {
                                data.append(d.startsWith(".") ? d.substring(1) : d).append("\r\n");
                            }
                            received.add(new Mail(sender, List.copyOf(rcpts), data.toString()));
                            send(out, "250 2.0.0 Ok: queued");
                        }
                        case "QUIT" -> {
                            send(out, "221 2.0.0 Bye");
                            return;
                        }
                        default -> send(out, "250 Ok");
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
