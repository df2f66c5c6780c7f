package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.cleanup.QueueWritingCleanup;
import org.posthorn.config.Config;
import org.posthorn.master.TestServiceContext;
import org.posthorn.pickup.PickupService;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueName;

/**
 * bin/sendmail with the master down, against Debian's Postfix: our maildrop files are read
 * by Debian's postcat and match, record for record, what Debian's sendmail and postdrop
 * write for the same input and options; a pickup service started here moves our file into
 * incoming/; bad usage gives Postfix's message and exit status.
 */
@Tag("interop")
class SendmailInteropTest {
    private static final Path POSTFIX_SENDMAIL = Path.of("/usr/sbin/sendmail");
    private static final Path POSTCAT = Path.of("/usr/sbin/postcat");

    @TempDir
    Path tmp;
    Path ours;
    Path theirs;

    record Run(int status, String out, String err) {
    }

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Files.isExecutable(POSTCAT), "Debian's postcat is not installed");
        ours = tmp.resolve("ours");
        Files.createDirectories(ours.resolve("etc"));
        Files.writeString(ours.resolve("etc/main.cf"), "queue_directory = " + ours.resolve("q") + "\n");
        QueueDirectory.of(Config.load(ours.resolve("etc"))).check();
        theirs = tmp.resolve("theirs");
        Files.createDirectories(theirs.resolve("etc"));
        Files.writeString(theirs.resolve("etc/main.cf"), "queue_directory = " + theirs.resolve("q") + "\ncompatibility_level = 3.6\n");
        Path drop = theirs.resolve("q/maildrop");
        Files.createDirectories(drop);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(theirs.resolve("q"), PosixFilePermissions.fromString("rwxr-xr-x"));
        run(List.of("chown", "postfix:postdrop", drop.toString()), "");
        run(List.of("chmod", "1730", drop.toString()), "");
    }

    private static Run run(List<String> command, String stdin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("TZ", "UTC");
        pb.environment().remove("NAME");
        Process p = pb.start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = Thread.ofVirtual().start(() -> {
            try (InputStream e = p.getErrorStream()) {
                e.transferTo(err);
            } catch (IOException ignored) {
                // gone
            }
        });
        try (OutputStream o = p.getOutputStream()) {
            o.write(stdin.getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException ignored) {
            // the command did not read its input
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        errReader.join();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Path bin(String command) {
        return Path.of(System.getProperty("posthorn.home", ".")).resolve("bin").resolve(command);
    }

    private Run ourSendmail(String stdin, String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of(bin("sendmail").toString(), "-C", ours.resolve("etc").toString()));
        c.addAll(List.of(args));
        return run(c, stdin);
    }

    private Run theirSendmail(String stdin, String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of(POSTFIX_SENDMAIL.toString(), "-C", theirs.resolve("etc").toString()));
        c.addAll(List.of(args));
        return run(c, stdin);
    }

    private static Path only(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            List<Path> files = s.toList();
            assertThat(files).hasSize(1);
            return files.getFirst();
        }
    }

    /**
     * postcat's view of a file, record by record with the record type (-d) but without the
     * offsets, the file name and the arrival time, which differ by nature (the time record's
     * microseconds have a varying number of digits).
     */
    private static String postcat(Path file) throws Exception {
        Run r = run(List.of(POSTCAT.toString(), "-o", "-d", "-r", file.toString()), "");
        assertThat(r.status()).as(r.err()).isZero();
        StringBuilder b = new StringBuilder();
        for (String line : r.out().split("\n")) {
            if (line.contains("message_arrival_time")) continue;
            b.append(line.replace(file.toString(), "FILE").replaceFirst("^ *\\d+ ", "")).append('\n');
        }
        return b.toString();
    }

    private void assertSameMaildropFile(String input, String... args) throws Exception {
        Run o = ourSendmail(input, args);
        assertThat(o.status()).as(o.err()).isZero();
        Run t = theirSendmail(input, args);
        assertThat(t.status()).as(t.err()).isZero();
        Path ourFile = only(ours.resolve("q/maildrop"));
        Path theirFile = only(theirs.resolve("q/maildrop"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ourFile))).isEqualTo("rwxr--r--");
        assertThat(postcat(ourFile)).isEqualTo(postcat(theirFile));
        Files.delete(ourFile);
        Files.delete(theirFile);
    }

    @Test
    void maildropFilesMatchDebianSendmail() throws Exception {
        String msg = "From someone Fri Nov 27 12:00:00 2026\nTo: a@x.test, \"B\" <b@y.test>\nCc: c@z.test\nBcc: d@w.test\n"
                + "Subject: t\n\nbody\n.\nafter the dot\n" + "L".repeat(5000) + "\nlast";
        assertSameMaildropFile(msg, "rcpt@example.org");
        assertSameMaildropFile(msg, "-i", "rcpt@example.org", "Other <other@example.org>");
        assertSameMaildropFile(msg, "-t");
        assertSameMaildropFile(msg, "-t", "-oi", "-f", "<sender@example.org>", "-F", "Full Name", "cmd@line.test");
        assertSameMaildropFile(msg, "-r", "s@example.org", "-N", "success,delay", "-R", "hdrs", "-V", "env-id-1",
                "-B", "8BITMIME", "-XV", "x@y.test");
        assertSameMaildropFile("Subject: crlf\r\n\r\nline\r\n", "-f", "", "x@y.test");
    }

    @Test
    void addressFormsMatchDebianSendmail() throws Exception {
        String msg = "To: \"john doe\"@x, (c) a@b (d), <@r:c@d>, g: e@f, h@i;\n  , folded@x\nCc: \"Q, R\" <q@r>\n"
                + "Resent-From: nobody\n\nbody\n";
        assertSameMaildropFile(msg, "-t", "-f", "Name <s@q>", "\"x y\"@z", "a@b.", "<c@d>, e@f", "w");
        assertSameMaildropFile("To: a@b\nSubject: x\n\n", "-t", "-V", "x".repeat(101));
    }

    @Test
    void verifyModeWritesTheSameProbe() throws Exception {
        Run o = ourSendmail("ignored\n", "-bv", "a@b.test", "c@d.test");
        Run t = theirSendmail("ignored\n", "-bv", "a@b.test", "c@d.test");
        assertThat(o.status()).isEqualTo(t.status()).isZero();
        assertThat(o.out()).isEqualTo(t.out()).isEqualTo("Mail Delivery Status Report will be mailed to <root>.\n");
        // this version says on stderr that no report will come (pickup discards the request)
        assertThat(o.err()).contains("sendmail: warning: address verification (-bv) is not implemented");
        assertThat(postcat(only(ours.resolve("q/maildrop")))).isEqualTo(postcat(only(theirs.resolve("q/maildrop"))));
    }

    @Test
    void pickupMovesOurFileIntoIncoming() throws Exception {
        Run o = ourSendmail("Subject: hello\n\nfrom sendmail\n", "-f", "alice@example.org", "bob@example.net");
        assertThat(o.status()).as(o.err()).isZero();
        assertThat(o.err()).contains("postdrop: warning: unable to look up public/pickup: No such file or directory");
        Path dropped = only(ours.resolve("q/maildrop"));
        assertThat(postcat(dropped)).contains("sender: alice@example.org", "recipient: bob@example.net", "from sendmail");

        Config config = Config.load(ours.resolve("etc"));
        QueueDirectory queue = QueueDirectory.of(config);
        QueueWritingCleanup cleanup = new QueueWritingCleanup(queue);
        TestServiceContext context = new TestServiceContext(config, cleanup, "pickup");
        PickupService pickup = new PickupService();
        pickup.wakeup(context); // no start(): the wakeup scans right away
        assertThat(dropped).doesNotExist();
        List<Path> incoming = queue.list(QueueName.INCOMING);
        assertThat(incoming).hasSize(1);
        assertThat(postcat(incoming.getFirst())).contains("sender: alice@example.org", "recipient: bob@example.net",
                "Subject: hello", "from sendmail");
        assertThat(context.lines).contains(incoming.getFirst().getFileName() + ": uid=0 from=<alice@example.org>");
    }

    @Test
    void sendmailThenPickupThroughTheRealCleanupDaemon() throws Exception {
        Run o = ourSendmail("To: bob@example.net\nBcc: hidden@example.net\nSubject: through cleanup\n\nbody\n",
                "-t", "-f", "alice@example.org", "-F", "Alice Example");
        assertThat(o.status()).as(o.err()).isZero();
        Config config = Config.load(ours.resolve("etc"));
        QueueDirectory queue = QueueDirectory.of(config);
        org.posthorn.cleanup.CleanupDaemon cleanup = new org.posthorn.cleanup.CleanupDaemon(config, queue, org.posthorn.log.Log.of("cleanup"));
        TestServiceContext context = new TestServiceContext(config, cleanup, "pickup");
        new PickupService().wakeup(context); // not started: the wakeup scans right away
        List<Path> incoming = queue.list(QueueName.INCOMING);
        assertThat(incoming).hasSize(1);
        String text = postcat(incoming.getFirst());
        assertThat(text).contains("sender: alice@example.org", "recipient: bob@example.net", "recipient: hidden@example.net",
                "Subject: through cleanup", "(Postfix, from userid 0)");
        assertThat(text).doesNotContain("Bcc:");
    }

    @Test
    void sendmailWakesPickupThroughPublicPickup() throws Exception {
        Config config = Config.load(ours.resolve("etc"));
        QueueDirectory queue = QueueDirectory.of(config);
        QueueWritingCleanup cleanup = new QueueWritingCleanup(queue);
        TestServiceContext context = new TestServiceContext(config, cleanup, "pickup");
        PickupService pickup = new PickupService();
        Path socket = ours.resolve("q/public/pickup");
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            assertThat(pickup.triggerServer()).isTrue();
            Thread master = Thread.ofVirtual().start(() -> { // what the master does with a trigger connection
                try (java.nio.channels.SocketChannel c = server.accept()) {
                    java.nio.ByteBuffer request = java.nio.ByteBuffer.allocate(64);
                    c.read(request);
                    assertThat(new String(request.array(), 0, request.position(), StandardCharsets.US_ASCII)).isEqualTo("W");
                    pickup.trigger(java.util.Arrays.copyOf(request.array(), request.position()), context);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Run o = ourSendmail("Subject: woken\n\n", "x@y.test");
            assertThat(o.status()).as(o.err()).isZero();
            assertThat(o.err()).doesNotContain("unable to look up");
            master.join(10000);
        }
        assertThat(cleanup.seen).hasSize(1);
        try (var files = Files.list(ours.resolve("q/maildrop"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void usageErrorsLikeDebianSendmail() throws Exception {
        for (List<String> args : List.<List<String>>of(List.of("-Z"), List.of("-V"), List.of("-B", "bad", "x@y"), List.of("-bz"),
                List.of("-qSfoo"), List.of(), List.of("-t"),
                List.of("-C", "/nonexistent/dir", "x@y"))) {
            String input = args.contains("-t") ? "Subject: no recipients\n\n" : "x\n";
            Run o = ourSendmail(input, args.toArray(String[]::new));
            Run t = theirSendmail(input, args.toArray(String[]::new));
            assertThat(o.status()).as("exit status for " + args + ": " + o.err()).isEqualTo(t.status());
            assertThat(o.err()).as("messages for " + args).isEqualTo(t.err());
        }
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void postdropReadsARecordStreamLikeDebianPostdrop() throws Exception {
        String stream = "S\u0004me@xA\rdsn_envid=abcR\u0003y@zM\u0000N\nSubject: xN\u0000N\u0004bodyX\u0000E\u0000";
        Run o = run(List.of(bin("postdrop").toString(), "-c", ours.resolve("etc").toString()), stream);
        Run t = run(List.of("/usr/sbin/postdrop", "-c", theirs.resolve("etc").toString()), stream);
        assertThat(o.status()).as(o.err()).isEqualTo(t.status()).isZero();
        assertThat(o.err()).contains("postdrop: warning: uid=0: ignoring attribute record: dsn_envid=abc");
        assertThat(o.out().replaceAll("queue_id\0[0-9A-F]+\0", "queue_id\0ID\0"))
                .isEqualTo(t.out().replaceAll("queue_id\0[0-9A-F]+\0", "queue_id\0ID\0"));
        assertThat(postcat(only(ours.resolve("q/maildrop")))).isEqualTo(postcat(only(theirs.resolve("q/maildrop"))));

        String forbidden = "S\u0004me@xD\u0003y@zM\u0000X\u0000E\u0000";
        Run o2 = run(List.of(bin("postdrop").toString(), "-c", ours.resolve("etc").toString()), forbidden);
        Run t2 = run(List.of("/usr/sbin/postdrop", "-c", theirs.resolve("etc").toString()), forbidden);
        assertThat(o2.status()).isEqualTo(t2.status());
        assertThat(lastLine(o2.err())).isEqualTo(lastLine(t2.err())).isEqualTo("postdrop: fatal: uid=0: unexpected record type: 68");
    }
}
