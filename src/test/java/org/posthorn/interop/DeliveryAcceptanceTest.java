package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.interop.SmtpFixture.SmtpSink;

/**
 * End-to-end acceptance of the delivery daemons: a whole instance started with bin/postfix,
 * real peers (swaks, smtp-source, smtp-sink, a real Postfix, mailutils, Python's email
 * package), crashes with kill -9 and restarts.
 */
@Tag("interop")
class DeliveryAcceptanceTest {
    /** A delivery line as Postfix logs it, with the delay fields. */
    private static final String DELAYS = ", delay=\\d+(\\.\\d+)?, delays=[\\d.]+/[\\d.]+/[\\d.]+/[\\d.]+, ";

    @TempDir
    Path tmp;

    private static String run(String stdin, List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the program did not read its input
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        return p.exitValue() + ":" + out;
    }

    private static String swaks(int port, String from, String to, String subject) throws Exception {
        return run("", List.of("swaks", "--server", "127.0.0.1:" + port, "--from", from, "--to", to,
                "--header", "Subject: " + subject, "--body", "body of " + subject, "--timeout", "10"));
    }

    private static String queueId(String log, String recipient) {
        Matcher m = Pattern.compile("\\]: ([0-9A-F]+): to=<" + Pattern.quote(recipient) + ">").matcher(log);
        assertThat(m.find()).as(log).isTrue();
        return m.group(1);
    }

    /** How often part occurs in text (delivery lines in a maillog). */
    static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
        return n;
    }

    /** Alias deliveries to files run as default_privs (nobody): a folder it may write in. */
    private static void writableByAll(Path dir) throws IOException {
        Files.createDirectories(dir);
        RealPostfix.worldSearchable(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    /** Debian's smtp-source in parallel sessions → our smtpd → our smtp client → smtp-sink: every message arrives. */
    @Test
    void smtpSourceSessionsAllArriveAtTheSink() throws Exception {
        int sinkPort = MasterServicesTest.freePort();
        int messages = 60;
        try (SmtpFixture.SmtpSink sink = new SmtpFixture.SmtpSink(tmp.resolve("dumps"), "127.0.0.1", sinkPort);
             E2eInstance ours = new E2eInstance(tmp.resolve("ours"))) {
            ours.configure(List.of("relayhost = [127.0.0.1]:" + sinkPort)).start();
            String out = run("", List.of("smtp-source", "-s", "6", "-m", Integer.toString(messages), "-l", "2048",
                    "-f", "source@example.org", "-t", "sink@example.net", "127.0.0.1:" + ours.port));
            assertThat(out).startsWith("0:");
            // smtp-sink fills a dump file as the transaction goes on: read them only after the
            // sink has answered 250 to every message (status=sent), so that none is half-written
            String log = ours.awaitLog(20, l -> count(l, "status=sent") >= messages && count(l, ": removed") >= messages);
            assertThat(count(log, "status=sent (250 ")).isEqualTo(messages);
            List<String> got = sink.awaitMessages(messages);
            for (int i = 0; i < 100 && !got.stream().allMatch(m -> m.contains("From: <source@example.org>")); i++) {
                Thread.sleep(100);
                got = sink.messages();
            }
            assertThat(got).hasSize(messages)
                    .allSatisfy(m -> assertThat(m).contains("From: <source@example.org>").contains("posthorn.test"));
        }
    }

    /** 1: swaks → our smtpd → our smtp client → a real Postfix → smtp-sink. */
    @Test
    void relaysThroughARealPostfixIntoSmtpSink() throws Exception {
        int sinkPort = MasterServicesTest.freePort();
        int refPort = MasterServicesTest.freePort();
        Path ref = tmp.resolve("ref");
        RealPostfix postfix = new RealPostfix(ref);
        try (SmtpSink sink = new SmtpSink(tmp.resolve("dumps"), "127.0.0.1", sinkPort);
             E2eInstance ours = new E2eInstance(tmp.resolve("ours"))) {
            try {
                postfix.start(List.of("compatibility_level = 3.6", "myhostname = reference.test", "mydestination =",
                        "inet_interfaces = 127.0.0.1", "inet_protocols = ipv4", "mynetworks = 127.0.0.0/8",
                        "relayhost = [127.0.0.1]:" + sinkPort, "smtpd_relay_restrictions = permit_mynetworks reject",
                        "disable_dns_lookups = yes", "smtp_host_lookup = native"), referenceMasterCf(refPort));
                ours.configure(List.of("relayhost = [127.0.0.1]:" + refPort)).start();
                String swaks = swaks(ours.port, "alice@example.org", "bob@example.net", "e2e relay");
                assertThat(swaks).startsWith("0:");
                // smtp-sink creates its dump file at MAIL FROM and fills it as the transaction goes on
                List<String> got = sink.messages();
                for (int i = 0; i < 150 && (got.isEmpty() || !got.getFirst().contains("body of e2e relay")); i++) {
                    Thread.sleep(100);
                    got = sink.messages();
                }
                assertThat(got).hasSize(1);
                assertThat(got.getFirst()).contains("Subject: e2e relay").contains("body of e2e relay")
                        .contains("by posthorn.test (Postfix)");
                String log = ours.awaitLog(10, l -> l.contains("status=sent") && l.contains(": removed"));
                String id = queueId(log, "bob@example.net");
                assertThat(log).containsPattern("postfix/smtp\\[\\d+\\]: " + id + ": to=<bob@example.net>, relay=127.0.0.1\\[127.0.0.1\\]:"
                        + refPort + DELAYS + "dsn=2.0.0, status=sent \\(250 2.0.0 Ok: queued as [0-9A-Za-z]+\\)");
                assertThat(log).contains(id + ": removed");
                String refLog = "";
                for (int i = 0; i < 100 && !refLog.contains("status=sent"); i++) {
                    Thread.sleep(100);
                    refLog = Files.exists(ref.resolve("maillog")) ? Files.readString(ref.resolve("maillog")) : "";
                }
                assertThat(refLog).containsPattern("postfix/smtp\\[\\d+\\]: [0-9A-F]+: to=<bob@example.net>, relay=127.0.0.1\\[127.0.0.1\\]:"
                        + sinkPort + DELAYS + "dsn=2.0.0, status=sent");
                assertThat(refLog).containsPattern("postfix/smtpd\\[\\d+\\]: [0-9A-F]+: client=localhost\\[127.0.0.1\\]");
            } finally {
                postfix.stop();
            }
        }
    }

    private static String referenceMasterCf(int port) {
        return "127.0.0.1:" + port + " inet n - n - - smtpd\n" + BounceNoticeOracleTest.MASTER_CF;
    }

    /** 2: a 450 at RCPT first, then 250 on the retry: deferred, then sent, and the queue file gone. */
    @Test
    void remoteTemporaryFailureIsRetried() throws Exception {
        try (ScriptedServer remote = new ScriptedServer(false); E2eInstance ours = new E2eInstance(tmp)) {
            AtomicInteger rcpts = new AtomicInteger();
            remote.rcptReply = a -> rcpts.getAndIncrement() == 0 ? "450 4.2.0 <bob@example.net>: try again later" : "250 2.1.5 Ok";
            ours.configure(List.of("relayhost = [127.0.0.1]:" + remote.port(), "minimal_backoff_time = 300s",
                    "maximal_backoff_time = 600s", "queue_run_delay = 300s")).start();
            assertThat(swaks(ours.port, "alice@example.org", "bob@example.net", "retry me")).startsWith("0:");
            String log = ours.awaitLog(10, l -> l.contains("status=deferred"));
            String id = queueId(log, "bob@example.net");
            assertThat(log).containsPattern("postfix/smtp\\[\\d+\\]: " + id + ": to=<bob@example.net>, relay=127.0.0.1\\[127.0.0.1\\]:"
                    + remote.port() + DELAYS + "dsn=4.2.0, status=deferred \\(host 127.0.0.1\\[127.0.0.1\\] said: 450 4.2.0 "
                    + "<bob@example.net>: try again later \\(in reply to RCPT TO command\\)\\)");
            for (int i = 0; i < 50 && ours.queueFiles("deferred").isEmpty(); i++) Thread.sleep(100);
            assertThat(ours.queueFiles("deferred")).hasSize(1);
            assertThat(remote.transactions).isEmpty();

            // with a 300s backoff only the flush brings the retry
            PostfixCommandTest.Result flush = ours.postfix("flush");
            assertThat(flush.status()).as(flush.err()).isZero();
            log = ours.awaitLog(15, l -> l.contains(id + ": removed"));
            assertThat(log).containsPattern("postfix/smtp\\[\\d+\\]: " + id + ": to=<bob@example.net>, relay=127.0.0.1\\[127.0.0.1\\]:"
                    + remote.port() + "(, conn_use=\\d+)?" + DELAYS + "dsn=2.0.0, status=sent \\(250 2.0.0 Ok: queued as SCRIPTED\\)");
            assertThat(log).contains(id + ": removed");
            assertThat(remote.transactions).hasSize(1);
            assertThat(remote.transactions.getFirst().data()).contains("Subject: retry me");
            for (String q : List.of("incoming", "active", "deferred", "defer", "bounce")) assertThat(ours.queueFiles(q)).as(q).isEmpty();
        }
    }

    /** 3: a 550 at RCPT; the local sender gets a delivery status notification in its Maildir. */
    @Test
    void remotePermanentFailureBouncesToALocalMaildir() throws Exception {
        Path maildir = tmp.resolve("alice/Maildir");
        Path aliases = tmp.resolve("aliases");
        Files.writeString(aliases, "alice " + maildir + "/\n");
        writableByAll(maildir.getParent());
        try (ScriptedServer remote = new ScriptedServer(false); E2eInstance ours = new E2eInstance(tmp)) {
            remote.rcptReply = a -> "550 5.1.1 <bob@example.net>: Recipient address rejected: no such user";
            ours.configure(List.of("relayhost = [127.0.0.1]:" + remote.port(), "mydestination = posthorn.test, localhost",
                    "alias_maps = texthash:" + aliases, "mail_spool_directory = " + tmp.resolve("mail"))).start();
            assertThat(swaks(ours.port, "alice@posthorn.test", "bob@example.net", "doomed")).startsWith("0:");
            String log = ours.awaitLog(15, l -> l.contains("relay=local") && l.contains("status=sent"));
            String id = queueId(log, "bob@example.net");
            assertThat(log).containsPattern(id + ": to=<bob@example.net>, relay=127.0.0.1\\[127.0.0.1\\]:" + remote.port() + DELAYS
                    + "dsn=5.1.1, status=bounced \\(host 127.0.0.1\\[127.0.0.1\\] said: 550 5.1.1 <bob@example.net>: "
                    + "Recipient address rejected: no such user \\(in reply to RCPT TO command\\)\\)");
            assertThat(log).containsPattern(id + ": sender non-delivery notification: [0-9A-F]+");
            assertThat(log).containsPattern("to=<alice@posthorn.test>, relay=local" + DELAYS + "dsn=2.0.0, status=sent \\(delivered to maildir\\)");
            List<Path> notices;
            try (var s = Files.list(maildir.resolve("new"))) {
                notices = s.toList();
            }
            assertThat(notices).hasSize(1);
            Path script = tmp.resolve("dsn.py");
            Files.writeString(script, """
                    import email, sys
                    m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
                    print('type', m.get_content_type(), m.get_param('report-type'))
                    print('to', m['To'])
                    print('from', m['From'])
                    for part in m.walk():
                        if part.get_content_type() == 'message/delivery-status':
                            blocks = part.get_payload()
                            print('reporting-mta', blocks[0]['Reporting-MTA'])
                            for r in blocks[1:]:
                                print('final-recipient', r['Final-Recipient'])
                                print('action', r['Action'])
                                print('status', r['Status'])
                                print('diagnostic-code', ' '.join(r['Diagnostic-Code'].split()))
                        elif part.get_content_type() in ('message/rfc822', 'text/rfc822-headers'):
                            print('returned', part.get_content_type())
                    """);
            String out = run("", List.of("python3", script.toString(), notices.getFirst().toString()));
            assertThat(out).startsWith("0:")
                    .contains("type multipart/report delivery-status")
                    .contains("to alice@posthorn.test")
                    .contains("from Mail Delivery System <MAILER-DAEMON@posthorn.test>")
                    .contains("reporting-mta dns; posthorn.test")
                    .contains("final-recipient rfc822; bob@example.net")
                    .contains("action failed")
                    .contains("status 5.1.1")
                    .contains("diagnostic-code smtp; 550 5.1.1 <bob@example.net>: Recipient address rejected: no such user")
                    .contains("returned message/rfc822");
        }
    }

    /** 4: local(8) to mbox and Maildir through aliases, from SMTP and bin/sendmail; a pipe transport. */
    @Test
    void localDeliveryReadBackByMailutils() throws Exception {
        Path mail = tmp.resolve("mail");
        Path maildir = tmp.resolve("md/Maildir");
        Path pipeOut = tmp.resolve("pipe");
        Files.createDirectories(mail);
        writableByAll(pipeOut);
        writableByAll(maildir.getParent());
        Path aliases = tmp.resolve("etc/aliases");
        Path transport = tmp.resolve("transport");
        Files.writeString(transport, "pipe.test tofile:\n");
        try (E2eInstance ours = new E2eInstance(tmp)) {
            ours.configure(List.of("mydestination = posthorn.test, localhost", "alias_maps = hash:" + aliases,
                            "alias_database = hash:" + aliases, "mail_spool_directory = " + mail,
                            "transport_maps = texthash:" + transport),
                    "tofile unix - n n - - pipe flags=F user=nobody argv=/bin/sh -c {cat > " + pipeOut + "/piped.out}");
            Files.writeString(aliases, "boxer: root\nmd: " + maildir + "/\n");
            E2eInstance.Ran na = ours.run("", E2eInstance.bin("newaliases"));
            assertThat(na.status()).as(na.err()).isZero();
            assertThat(tmp.resolve("etc/aliases.db")).exists();
            ours.start();

            assertThat(swaks(ours.port, "alice@example.org", "boxer@posthorn.test", "to mbox by smtp")).startsWith("0:");
            assertThat(swaks(ours.port, "alice@example.org", "md@posthorn.test", "to maildir by smtp")).startsWith("0:");
            assertThat(swaks(ours.port, "alice@example.org", "someone@pipe.test", "to pipe by smtp")).startsWith("0:");
            E2eInstance.Ran sm = ours.run("From: carol@example.org\nSubject: to maildir by sendmail\n\nhello from sendmail\n",
                    E2eInstance.bin("sendmail"), "-f", "carol@example.org", "md@posthorn.test", "boxer");
            assertThat(sm.status()).as(sm.err()).isZero();

            String log = ours.awaitLog(20, l -> count(l, "status=sent") >= 5);
            assertThat(count(log, "status=sent")).as(log).isEqualTo(5);
            assertThat(log).contains("to=<root@posthorn.test>, orig_to=<boxer@posthorn.test>, relay=local")
                    .contains("to=<root@posthorn.test>, orig_to=<boxer>, relay=local")
                    .contains("to=<md@posthorn.test>, relay=local")
                    .contains("status=sent (delivered to mailbox)")
                    .contains("status=sent (delivered to maildir)");
            assertThat(log).containsPattern("postfix/tofile\\[\\d+\\]: [0-9A-F]+: to=<someone@pipe.test>, relay=tofile" + DELAYS
                    + "dsn=2.0.0, status=sent \\(delivered via tofile service\\)");

            String frmMbox = run("", List.of("frm", mail.resolve("root").toString()));
            // frm exits 1 when no message is unread; the listing is what counts
            assertThat(frmMbox).doesNotContain("frm:").contains("to mbox by smtp").contains("to maildir by sendmail");
            String frmMaildir = run("", List.of("frm", "maildir:" + maildir));
            assertThat(frmMaildir).doesNotContain("frm:").contains("to maildir by smtp").contains("to maildir by sendmail");
            String read = run("", List.of("readmsg", "-f", mail.resolve("root").toString(), "-n", "to mbox by smtp"));
            assertThat(read).startsWith("0:").contains("body of to mbox by smtp");
            String piped = Files.readString(pipeOut.resolve("piped.out"));
            assertThat(piped).startsWith("From alice@example.org ").contains("Subject: to pipe by smtp");
        }
    }

    /** 5: bin/sendmail while the master is down leaves a maildrop file; start delivers it. */
    @Test
    void sendmailWhileStoppedIsPickedUpOnStart() throws Exception {
        Path maildir = tmp.resolve("md/Maildir");
        Path aliases = tmp.resolve("aliases");
        Files.writeString(aliases, "md " + maildir + "/\n");
        writableByAll(maildir.getParent());
        try (E2eInstance ours = new E2eInstance(tmp)) {
            ours.configure(List.of("mydestination = posthorn.test, localhost", "alias_maps = texthash:" + aliases,
                    "mail_spool_directory = " + tmp.resolve("mail")));
            // the queue folders come from postfix start; make them as Postfix's set-permissions would
            assertThat(ours.postfix("start").status()).isZero();
            assertThat(ours.postfix("stop").status()).isZero();
            for (int i = 0; i < 100 && Files.exists(ours.spool.resolve("pid/master.pid")); i++) Thread.sleep(50);
            E2eInstance.Ran sm = ours.run("Subject: while down\n\nqueued offline\n", E2eInstance.bin("sendmail"), "md");
            assertThat(sm.status()).as(sm.err()).isZero();
            assertThat(ours.queueFiles("maildrop")).hasSize(1);
            ours.start();
            String log = ours.awaitLog(15, l -> l.contains("status=sent"));
            assertThat(log).containsPattern("postfix/pickup\\[\\d+\\]: [0-9A-F]+: uid=\\d+ from=<\\S+>");
            assertThat(log).contains("to=<md@posthorn.test>, orig_to=<md>, relay=local").contains("status=sent (delivered to maildir)");
            assertThat(ours.queueFiles("maildrop")).isEmpty();
            try (var s = Files.list(maildir.resolve("new"))) {
                assertThat(s.toList()).singleElement().satisfies(p -> assertThat(Files.readString(p)).contains("queued offline"));
            }
        }
    }

    /**
     * An SMTP server that records each message by Subject; while stalling it takes the
     * message text and then does not answer the end of DATA.
     */
    static final class StallServer implements AutoCloseable {
        final ServerSocket server;
        final AtomicBoolean stall = new AtomicBoolean(true);
        final AtomicInteger stalled = new AtomicInteger();
        /** Messages by Subject: how many times the text arrived (answered or not). */
        final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
        private final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        StallServer() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        sockets.add(s);
                        Thread.ofVirtual().start(() -> session(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private void session(Socket s) {
            try (s) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                OutputStream out = s.getOutputStream();
                say(out, "220 stall.test ESMTP");
                for (String line; (line = in.readLine()) != null; ) {
                    String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
                    switch (verb) {
                        case "EHLO" -> say(out, "250-stall.test\r\n250 8BITMIME");
                        case "DATA" -> {
                            say(out, "354 go ahead");
                            String subject = null;
                            for (String l; (l = in.readLine()) != null && !l.equals("."); ) {
                                if (subject == null && l.startsWith("Subject: ")) subject = l.substring(9);
                            }
                            received.computeIfAbsent(String.valueOf(subject), k -> new AtomicInteger()).incrementAndGet();
                            if (stall.get()) {
                                stalled.incrementAndGet();
                                while (stall.get() && !s.isClosed()) Thread.sleep(50);
                                return;
                            }
                            accepted.computeIfAbsent(String.valueOf(subject), k -> new AtomicInteger()).incrementAndGet();
                            say(out, "250 2.0.0 Ok: queued");
                        }
                        case "QUIT" -> {
                            say(out, "221 bye");
                            return;
                        }
                        default -> say(out, "250 Ok");
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went away
            }
        }

        private static void say(OutputStream out, String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            stall.set(false);
            server.close();
            for (Socket s : sockets) s.close();
        }
    }

    /** 6: kill -9 with deliveries in progress: nothing lost, nothing more than twice, done recipients not again. */
    @Test
    void killWithMailInActiveLosesNothing() throws Exception {
        int n = 4;
        Path transport = tmp.resolve("transport");
        try (StallServer slow = new StallServer(); ScriptedServer fast = new ScriptedServer(false); E2eInstance ours = new E2eInstance(tmp)) {
            Files.writeString(transport, "slow.test smtp:[127.0.0.1]:" + slow.port() + "\nfast.test smtp:[127.0.0.1]:" + fast.port() + "\n");
            ours.configure(List.of("transport_maps = texthash:" + transport, "relay_domains = slow.test fast.test",
                    "minimal_backoff_time = 300s", "maximal_backoff_time = 600s", "queue_run_delay = 300s")).start();
            for (int i = 0; i < n; i++) {
                String s = run("", List.of("swaks", "--server", "127.0.0.1:" + ours.port, "--from", "a@example.org",
                        "--to", "f" + i + "@fast.test,s" + i + "@slow.test", "--header", "Subject: crash " + i, "--timeout", "10"));
                assertThat(s).startsWith("0:");
            }
            String log = ours.awaitLog(15, l -> count(l, "@fast.test>, relay=") >= n);
            assertThat(count(log, "status=sent")).isEqualTo(n);
            for (int i = 0; i < 100 && slow.stalled.get() == 0; i++) Thread.sleep(50);
            assertThat(slow.stalled.get()).isPositive();
            assertThat(ours.queueFiles("active")).isNotEmpty();

            ours.kill9();
            slow.stall.set(false);
            ours.start();
            ours.postfix("flush");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (slow.accepted.size() < n && System.nanoTime() < end) Thread.sleep(100);
            log = ours.awaitLog(5, l -> count(l, "removed") >= n);
            for (int i = 0; i < n; i++) {
                String subject = "crash " + i;
                assertThat(slow.accepted).as(subject).containsKey(subject);
                assertThat(slow.received.get(subject).get()).as(subject).isBetween(1, 2);
            }
            // the fast recipients were done before the kill: each arrived exactly once
            assertThat(fast.transactions).hasSize(n);
            assertThat(count(log, "@fast.test>, relay=")).isEqualTo(n);
            for (String q : List.of("incoming", "active", "deferred")) assertThat(ours.queueFiles(q)).as(q).isEmpty();
        }
    }

    /**
     * 7: forty parallel SMTP clients (as smtp-source -s 40 -m 400, but recording which message got
     * its 250) into a relay whose destination is down; kill -9 during the run: every 250 arrives.
     * Forty sessions keep many messages waiting together at the queue's group commit
     * (org.posthorn.queue.SyncPoint) when the kill lands, so a 250 sent before its batch was
     * forced, or a batch released early, shows up as a lost message.
     */
    @Test
    void killUnderLoadLosesNoAcceptedMessage() throws Exception {
        int sinkPort = MasterServicesTest.freePort();
        try (E2eInstance ours = new E2eInstance(tmp)) {
            ours.configure(List.of("relayhost = [127.0.0.1]:" + sinkPort, "minimal_backoff_time = 300s",
                    "maximal_backoff_time = 600s", "queue_run_delay = 300s")).start();
            Set<String> acked = loadAndKill(ours, 40, 400, 100);
            try (SmtpSink sink = new SmtpSink(tmp.resolve("dumps"), "127.0.0.1", sinkPort)) {
                ours.start();
                ours.postfix("flush");
                assertAllArrive(sink, acked, ours, 20);
            }
        }
    }

    /**
     * 7b: as 7, but the relay takes the mail, so finished queue files become spares
     * (org.posthorn.queue.SpareFiles) and new messages are written into them while the kill
     * lands: every 250 arrives, and no spare turns up as a queue file, corrupt or not.
     */
    @Test
    void killWhileDeliveredFilesAreReusedLosesNothing() throws Exception {
        int sinkPort = MasterServicesTest.freePort();
        try (E2eInstance ours = new E2eInstance(tmp);
                SmtpSink sink = new SmtpSink(tmp.resolve("dumps"), "127.0.0.1", sinkPort)) {
            ours.configure(List.of("relayhost = [127.0.0.1]:" + sinkPort)).start();
            Set<String> acked = loadAndKill(ours, 20, 600, 300);
            assertThat(ours.maillog()).as("files were reused before the kill").contains(": removed");
            ours.start();
            ours.postfix("flush");
            assertAllArrive(sink, acked, ours, 30);
            assertThat(ours.queueFiles("corrupt")).isEmpty();
            assertThat(ours.maillog()).doesNotContain("corrupt");
        }
    }

    /**
     * {@code sessions} parallel clients send {@code total} messages ("Subject: load N"); once
     * {@code killAfter} of them got their 250 the master is killed with kill -9. Returns the
     * subjects that got a 250.
     */
    private static Set<String> loadAndKill(E2eInstance ours, int sessions, int total, int killAfter) throws Exception {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < sessions; t++) {
            clients.add(Thread.ofPlatform().start(() -> {
                for (int m; (m = next.getAndIncrement()) < total; ) {
                    String subject = "load " + m;
                    try {
                        if (sendOne(ours.port, subject)) acked.add(subject);
                    } catch (IOException e) {
                        return;
                    }
                }
            }));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (acked.size() < killAfter && System.nanoTime() < end) Thread.sleep(1);
        ours.kill9();
        for (Thread c : clients) c.join(15000);
        assertThat(acked.size()).isGreaterThanOrEqualTo(killAfter);
        return acked;
    }

    /**
     * Every subject that got a 250 reaches the sink within {@code seconds}; messages that were
     * queued but whose 250 never reached the client may arrive too.
     */
    private static void assertAllArrive(SmtpSink sink, Set<String> acked, E2eInstance ours, int seconds) throws Exception {
        Pattern subject = Pattern.compile("(?m)^Subject: (load \\d+)\r?$");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Set<String> lost = new TreeSet<>(acked);
        while (!lost.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            for (String msg : sink.messages()) {
                Matcher m = subject.matcher(msg);
                if (m.find()) lost.remove(m.group(1));
            }
        }
        assertThat(lost).as("accepted with 250 but never delivered; log:\n" + ours.maillog()).isEmpty();
    }

    /** One SMTP transaction; true when the end of DATA got a 250. */
    private static boolean sendOne(int port, String subject) throws IOException {
        try (MasterServicesTest.Client c = new MasterServicesTest.Client(port, 10000)) {
            if (!reply(c).startsWith("220")) return false;
            for (String cmd : List.of("HELO source.test", "MAIL FROM:<a@example.org>", "RCPT TO:<b@example.net>", "DATA")) {
                c.out.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
                c.out.flush();
                String r = reply(c);
                if (!r.startsWith("2") && !r.startsWith("354")) return false;
            }
            c.out.write(("Subject: " + subject + "\r\nFrom: a@example.org\r\n\r\nload test\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            boolean ok = reply(c).startsWith("250");
            c.out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            return ok;
        }
    }

    /** The last line of a (multi-line) reply; an IOException when the connection is gone. */
    private static String reply(MasterServicesTest.Client c) throws IOException {
        for (String line; (line = c.in.readLine()) != null; ) {
            if (line.length() < 4 || line.charAt(3) != '-') return line;
        }
        throw new IOException("connection closed");
    }

    /** 8: sendmail -bs: an SMTP dialogue piped by a script; the mail goes through maildrop and pickup, as with Postfix. */
    @Test
    void sendmailBsSpeaksSmtpOnStandardInput() throws Exception {
        Path mail = tmp.resolve("mail");
        Files.createDirectories(mail);
        try (E2eInstance ours = new E2eInstance(tmp)) {
            ours.configure(List.of("mydestination = posthorn.test, localhost", "mail_spool_directory = " + mail)).start();
            Path script = tmp.resolve("bs.sh");
            Files.writeString(script, "printf 'EHLO client.test\\r\\nMAIL FROM:<x@example.org>\\r\\nRCPT TO:<root@posthorn.test>\\r\\n"
                    + "DATA\\r\\nSubject: over stdin\\r\\n\\r\\nbody via -bs\\r\\n.\\r\\nQUIT\\r\\n' | \"$1\" -bs\n");
            E2eInstance.Ran bs = ours.run("", "/bin/sh", script.toString(), E2eInstance.bin("sendmail"));
            assertThat(bs.status()).as(bs.err()).isZero();
            assertThat(bs.err()).isEmpty();
            Matcher queued = Pattern.compile("(?s)^220 posthorn.test ESMTP Postfix\r\n250-posthorn.test\r\n.*"
                    + "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as ([0-9A-F]+)\r\n"
                    + "221 2.0.0 Bye\r\n$").matcher(bs.out());
            assertThat(queued.find()).as(bs.out()).isTrue();
            String dropId = queued.group(1);
            String log = ours.awaitLog(15, l -> l.contains("status=sent"));
            assertThat(log).containsPattern("postfix/smtpd\\[\\d+\\]: connect from localhost\\[127.0.0.1\\]")
                    .containsPattern("postfix/smtpd\\[\\d+\\]: " + dropId + ": client=localhost\\[127.0.0.1\\]")
                    .containsPattern("postfix/smtpd\\[\\d+\\]: disconnect from localhost\\[127.0.0.1\\] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")
                    .containsPattern("postfix/pickup\\[\\d+\\]: [0-9A-F]+: uid=0 from=<x@example.org>")
                    .contains("to=<root@posthorn.test>, relay=local")
                    .doesNotContain("improper command pipelining");
            String mbox = Files.readString(mail.resolve("root"));
            assertThat(mbox).containsPattern("Received: by posthorn.test \\(Postfix, from userid 0\\)\n\tid [0-9A-F]+; ")
                    .containsPattern("Received: from client.test \\(localhost \\[127.0.0.1\\]\\)\n\tby posthorn.test \\(Postfix\\) with ESMTP id "
                            + dropId + "\n\tfor <root@posthorn.test>; ")
                    .contains("Subject: over stdin").contains("body via -bs");
            assertThat(ours.queueFiles("maildrop")).isEmpty();
        }
    }
}
