package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.bounce.Bounce;
import org.posthorn.bounce.BounceDaemon;
import org.posthorn.bounce.BounceLogs;
import org.posthorn.bounce.CapturingCleanup;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;

/**
 * Our bounce notices against Debian's Postfix 3.7.11 (the real one bounces a message through
 * its error(8) agent and relays the notice to an smtp-sink that keeps it) and against
 * Python's email package, which must parse them as RFC 3464 delivery-status reports.
 * Needs root, Debian's postfix package and python3.
 */
@Tag("interop")
class BounceNoticeOracleTest {
    @TempDir
    Path tmp;

    static final String ORIGINAL = """
            From: Alice <alice@sender.test>
            To: bob@bad.test
            Subject: test bounce
            Message-ID: <m1@sender.test>
            Date: Fri, 27 Nov 2026 20:00:00 +0000

            Hello Bob,
            this is the body.
            """;

    /** Our notice for an original message whose content, queue ID and times are given. */
    private CapturingCleanup.Mail ourNotice(Path spool, List<String> content, Instant arrival, Instant now,
                                            String ret, String reason, String status) throws Exception {
        QueueDirectory queue = QueueDirectory.of(spool);
        queue.check();
        String id;
        try (QueueFileWriter w = QueueFileWriter.create(queue, QueueName.INCOMING, 2048)) {
            w.envelopeStart(arrival, "local");
            w.sender("alice@sender.test");
            w.recipient(new QueueFileWriter.Rcpt("rfc822;bob@bad.test", 0, "bob@bad.test", "bob@bad.test"));
            w.beginContent();
            for (String l : content) w.contentLine(l);
            w.endContent();
            id = w.finish(QueueName.ACTIVE);
        }
        BounceLogs logs = new BounceLogs(queue);
        logs.append(QueueName.BOUNCE, id, new BounceLogs.Entry("bob@bad.test", "bob@bad.test", 300,
                "rfc822;bob@bad.test", 0, status, "failed", null, null, reason));
        CapturingCleanup cleanup = new CapturingCleanup();
        BounceDaemon d = new BounceDaemon(Config.of(tmp, Map.of("myhostname", "reference.test", "myorigin", "reference.test")),
                logs, () -> cleanup, Log.of("bounce"), Clock.fixed(now, ZoneId.systemDefault()), ZoneId.systemDefault());
        assertThat(d.flushBounced(new Bounce.Notice(id, queue.path(QueueName.ACTIVE, id), "alice@sender.test", null, ret)))
                .isTrue();
        assertThat(cleanup.queued).hasSize(1);
        return cleanup.queued.getFirst();
    }

    @Test
    void pythonsEmailPackageParsesOurNoticeAsADeliveryStatusReport() throws Exception {
        Instant t = Instant.parse("2026-11-27T21:37:15Z");
        for (String ret : new String[] {null, "HDRS"}) {
            CapturingCleanup.Mail m = ourNotice(tmp.resolve(ret == null ? "full" : "hdrs"),
                    List.of(ORIGINAL.split("\n")), t, t.plusSeconds(1), ret, "no such user", "5.1.1");
            Path notice = tmp.resolve("notice-" + ret);
            Files.writeString(notice, m.text());
            Path script = tmp.resolve("check.py");
            Files.writeString(script, PYTHON);
            Process p = new ProcessBuilder("python3", script.toString(), notice.toString(),
                    ret == null ? "message/rfc822" : "text/rfc822-headers").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out).isEqualTo("ok\n");
            assertThat(p.exitValue()).isZero();
        }
    }

    /** Parses a notice with Python's email package and checks the RFC 3464 structure. */
    static final String PYTHON = """
            import email, sys
            msg = email.message_from_binary_file(open(sys.argv[1], 'rb'))
            assert msg.get_content_type() == 'multipart/report', msg.get_content_type()
            assert msg.get_param('report-type') == 'delivery-status'
            assert msg['Auto-Submitted'] == 'auto-replied'
            parts = msg.get_payload()
            types = [p.get_content_type() for p in parts]
            assert types == ['text/plain', 'message/delivery-status', sys.argv[2]], types
            assert '<bob@bad.test>: no such user' in parts[0].get_payload()
            fields = parts[1].get_payload()
            assert len(fields) == 2, len(fields)
            assert fields[0]['Reporting-MTA'] == 'dns; reference.test', fields[0]['Reporting-MTA']
            assert fields[0]['X-Postfix-Sender'] == 'rfc822; alice@sender.test'
            rcpt = fields[1]
            assert rcpt['Final-Recipient'] == 'rfc822; bob@bad.test'
            assert rcpt['Original-Recipient'] == 'rfc822;bob@bad.test'
            assert rcpt['Action'] == 'failed'
            assert rcpt['Status'] == '5.1.1'
            assert rcpt['Diagnostic-Code'] == 'X-Postfix; no such user'
            if sys.argv[2] == 'message/rfc822':
                original = parts[2].get_payload()[0]
                assert original['Subject'] == 'test bounce'
                assert original['Return-Path'] == '<alice@sender.test>'
                assert 'this is the body.' in original.get_payload()
            else:
                text = parts[2].get_payload()
                assert 'Subject: test bounce' in text and 'Hello Bob' not in text
            print('ok')
            """;

    private static final DateTimeFormatter MAIL_DATE =
            DateTimeFormatter.ofPattern("EEE, ppd MMM yyyy HH:mm:ss xx '('zzz')'", Locale.ENGLISH);

    @Test
    void ourNoticeMatchesPostfixsLineForLine() throws Exception {
        Path base = Files.createTempDirectory("bounce-oracle");
        int sinkPort = freePort();
        Path dump = base.resolve("dump");
        Files.createDirectories(dump);
        Path transport = base.resolve("transport");
        Files.writeString(transport, "bad.test error:5.1.1 no such user\nlong.test error:5.7.1 this is a rather long "
                + "rejection reason that goes on and on so that the wrapping of lines can be seen\n");
        Process sink = new ProcessBuilder("smtp-sink", "-u", "root", "-d", dump + "/%M", "127.0.0.1:" + sinkPort, "100")
                .redirectErrorStream(true).redirectOutput(base.resolve("sink.log").toFile()).start();
        RealPostfix pf = new RealPostfix(base.resolve("pf"));
        try {
            pf.start(List.of("compatibility_level = 3.6", "myhostname = reference.test", "mydestination =",
                    "inet_interfaces = 127.0.0.1", "inet_protocols = ipv4", "relayhost = [127.0.0.1]:" + sinkPort,
                    "disable_dns_lookups = yes", "smtp_host_lookup = native", "transport_maps = texthash:" + transport),
                    MASTER_CF);
            for (String[] c : new String[][] {{"bob@bad.test", "no such user", "5.1.1"},
                    {"bob@long.test", "this is a rather long rejection reason that goes on and on so that the wrapping"
                            + " of lines can be seen", "5.7.1"}}) {
                String rcpt = c[0];
                Path got = sendAndCapture(pf, dump, rcpt);
                String theirs = noticeOnly(Files.readString(got));
                Files.delete(got);
                String pfId = field(theirs, "X-Postfix-Queue-ID: (\\S+)");
                String pfNew = field(theirs, "\tid (\\S+); ");
                Instant arrival = ZonedDateTime.parse(field(theirs, "Arrival-Date: (.+)"), MAIL_DATE).toInstant();
                Instant now = ZonedDateTime.parse(field(theirs, "\nDate: (.+)"), MAIL_DATE).toInstant();
                String returnPath = "Return-Path: <alice@sender.test>\n";
                String returned = theirs.substring(theirs.indexOf(returnPath) + returnPath.length(),
                        theirs.lastIndexOf("\n\n--"));
                CapturingCleanup.Mail ours = ourNotice(tmp.resolve("q" + rcpt.hashCode()),
                        List.of(returned.split("\n", -1)), arrival, now, null, c[1], c[2]);
                String ourId = field(ours.text(), "X-Postfix-Queue-ID: (\\S+)");
                String a = ours.text().replace(ourId, "QID").replace(pfId, "QID").replace(ours.queueId(), "NEWID")
                        .replace("bob@bad.test", rcpt);
                String b = theirs.replace(pfId, "QID").replace(pfNew, "NEWID");
                // Postfix reads the clock for the MIME boundary apart from the Date header: a second may pass between
                assertThat(withoutBoundaryTime(a)).isEqualTo(withoutBoundaryTime(b));
            }
        } finally {
            sink.destroy();
            pf.stop();
            try (Stream<Path> s = Files.walk(base)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static String withoutBoundaryTime(String notice) {
        return notice.replaceAll("QID\\.\\d+/", "QID.TIME/");
    }

    /** Submits the original with Postfix's sendmail and waits for the notice at the sink. */
    private static Path sendAndCapture(RealPostfix pf, Path dump, String rcpt) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sendmail", "-f", "alice@sender.test", rcpt).redirectErrorStream(true);
        pb.environment().put("MAIL_CONFIG", pf.etc.toString());
        Process p = pb.start();
        p.getOutputStream().write(ORIGINAL.replace("bob@bad.test", rcpt).getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        for (int i = 0; i < 600; i++) {
            try (Stream<Path> s = Files.list(dump)) {
                List<Path> files = new ArrayList<>(s.toList());
                for (Path f : files) {
                    String text = Files.readString(f);
                    if (text.contains("X-Rcpt-Args: <alice@sender.test>") && text.stripTrailing().endsWith("--")) return f;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no notice from the real Postfix; its log:\n" + readLog(pf));
    }

    private static String readLog(RealPostfix pf) {
        try {
            return Files.readString(pf.dir.resolve("maillog"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * The notice as Postfix's bounce(8) wrote it: without the sink's headers, the empty line
     * smtp-sink adds at the end of its dump, and cleanup's Message-Id.
     */
    private static String noticeOnly(String dumped) {
        String s = dumped.substring(dumped.indexOf("Received: by reference.test (Postfix)\n"));
        if (s.endsWith("\n\n")) s = s.substring(0, s.length() - 1);
        return s.replaceFirst("\nMessage-Id: <[^>]+>\n", "\n");
    }

    private static String field(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) throw new AssertionError("no " + regex + " in\n" + text);
        return m.group(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static final String MASTER_CF = """
            pickup    unix  n       -       n       60      1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            verify    unix  -       -       n       -       1       verify
            flush     unix  n       -       n       1000?   0       flush
            proxymap  unix  -       -       n       -       -       proxymap
            smtp      unix  -       -       n       -       -       smtp
            relay     unix  -       -       n       -       -       smtp
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            anvil     unix  -       -       n       -       1       anvil
            scache    unix  -       -       n       -       1       scache
            postlog   unix-dgram n  -       n       -       1       postlogd
            """;
}
