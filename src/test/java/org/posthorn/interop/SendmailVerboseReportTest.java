package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * sendmail -v end to end against Debian's Postfix 3.7.11: one recipient is relayed into an
 * smtp-sink, one is deferred (connection refused), and each MTA sends the sender exactly one
 * "Mail Delivery Status Report" of that first attempt. Our report must equal Postfix's after
 * queue IDs, dates and ports are normalised, and Python's email package must parse it as an
 * RFC 3464 report. Needs root, Debian's postfix package (smtp-sink) and python3.
 */
@Tag("interop")
class SendmailVerboseReportTest {
    static final String ORIGINAL = """
            From: Sender <alice@example.test>
            To: bob@live.test
            Subject: trace me
            Message-ID: <m1@example.test>

            body line
            """;

    @Test
    void oneReportOfTheFirstAttemptAsPostfixWritesIt() throws Exception {
        Path base = Files.createTempDirectory("verbose-report");
        RealPostfix.worldSearchable(base);
        int closed = MasterServicesTest.freePort();
        Path transport = base.resolve("transport");
        Files.writeString(transport, "dead.test smtp:[127.0.0.1]:" + closed + "\n");
        List<String> common = List.of("myhostname = reference.test", "transport_maps = texthash:" + transport);
        List<Process> sinks = new ArrayList<>();
        RealPostfix pf = new RealPostfix(base.resolve("pf"));
        try (E2eInstance ours = new E2eInstance(base.resolve("ours"))) {
            Path ourDump = base.resolve("our-dump");
            Path theirDump = base.resolve("their-dump");
            List<String> ourMain = new ArrayList<>(common);
            ourMain.add("relayhost = [127.0.0.1]:" + sink(ourDump, sinks));
            ours.configure(ourMain).start();
            List<String> theirMain = new ArrayList<>(common);
            theirMain.addAll(List.of("compatibility_level = 3.6", "mydestination =", "inet_interfaces = 127.0.0.1",
                    "inet_protocols = ipv4", "disable_dns_lookups = yes", "smtp_host_lookup = native",
                    "relayhost = [127.0.0.1]:" + sink(theirDump, sinks)));
            pf.start(theirMain, BounceNoticeOracleTest.MASTER_CF);

            E2eInstance.Ran ran = ours.run(ORIGINAL, E2eInstance.bin("sendmail"), "-v", "-f", "alice@example.test",
                    "bob@live.test", "carol@dead.test");
            assertThat(ran.status()).as(ran.err()).isZero();
            assertThat(ran.out()).isEqualTo("Mail Delivery Status Report will be mailed to <alice@example.test>.\n");
            assertThat(ran.err()).doesNotContain("warning");
            submitToPostfix(pf);

            String mine = awaitReport(ourDump, ours.dir.resolve("maillog"));
            String theirs = awaitReport(theirDump, pf.dir.resolve("maillog"));
            assertThat(normalise(mine)).isEqualTo(normalise(theirs));

            // the deferred recipient is retried (backoff 1s) without a second report
            Thread.sleep(3500);
            String log = ours.maillog();
            assertThat(log.split("sender delivery status notification: ", -1)).as(log).hasSize(2);
            assertThat(reports(ourDump)).hasSize(1);
            assertThat(log).containsPattern("to=<carol@dead.test>, relay=none, .*status=deferred");

            Path file = base.resolve("report.eml");
            Files.writeString(file, mine);
            Path script = base.resolve("check.py");
            Files.writeString(script, PYTHON);
            Process p = new ProcessBuilder("python3", script.toString(), file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out).isEqualTo("ok\n");
        } finally {
            for (Process s : sinks) s.destroy();
            pf.stop();
            try (Stream<Path> s = Files.walk(base)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** The report must parse as multipart/report with one delivery-status field group per recipient. */
    static final String PYTHON = """
            import email, sys
            msg = email.message_from_binary_file(open(sys.argv[1], 'rb'))
            assert msg.get_content_type() == 'multipart/report', msg.get_content_type()
            assert msg.get_param('report-type') == 'delivery-status'
            assert msg['Subject'] == 'Mail Delivery Status Report', msg['Subject']
            assert msg['To'] == 'alice@example.test'
            parts = msg.get_payload()
            types = [p.get_content_type() for p in parts]
            assert types == ['text/plain', 'message/delivery-status', 'text/rfc822-headers'], types
            assert 'Enclosed is the mail delivery report that you requested.' in parts[0].get_payload()
            fields = parts[1].get_payload()
            assert len(fields) == 3, len(fields)
            actions = {f['Final-Recipient']: (f['Action'], f['Status']) for f in fields[1:]}
            assert actions == {'rfc822; bob@live.test': ('relayed', '2.0.0'),
                               'rfc822; carol@dead.test': ('delayed', '4.4.1')}, actions
            assert 'Subject: trace me' in parts[2].get_payload()
            print('ok')
            """;

    /** Starts an smtp-sink that dumps each transaction into its own file under dump; its port. */
    private static int sink(Path dump, List<Process> sinks) throws Exception {
        Files.createDirectories(dump);
        int port = MasterServicesTest.freePort();
        sinks.add(new ProcessBuilder("smtp-sink", "-u", "root", "-d", dump + "/%M", "127.0.0.1:" + port, "100")
                .redirectErrorStream(true).redirectOutput(dump.resolveSibling(dump.getFileName() + ".log").toFile())
                .start());
        return port;
    }

    /** Postfix's own sendmail -v, as root, into the real instance. */
    private static void submitToPostfix(RealPostfix pf) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sendmail", "-v", "-f", "alice@example.test", "bob@live.test",
                "carol@dead.test").redirectErrorStream(true);
        pb.environment().put("MAIL_CONFIG", pf.etc.toString());
        Process p = pb.start();
        p.getOutputStream().write(ORIGINAL.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    /** The dumped reports (transactions to the sender) that smtp-sink has completely written. */
    private static List<String> reports(Path dump) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dump)) {
            for (Path f : s.toList()) {
                String text = Files.readString(f);
                if (text.contains("X-Rcpt-Args: <alice@example.test>") && text.stripTrailing().endsWith("--")) out.add(text);
            }
        }
        return out;
    }

    private static String awaitReport(Path dump, Path maillog) throws Exception {
        for (int i = 0; i < 400; i++) {
            List<String> r = reports(dump);
            if (!r.isEmpty()) return noticeOnly(r.getFirst());
            Thread.sleep(50);
        }
        throw new AssertionError("no report in " + dump + "; log:\n"
                + (Files.exists(maillog) ? Files.readString(maillog) : "(none)"));
    }

    /** The report as bounce(8) wrote it: without the sink's headers, its final empty line and the Message-Id. */
    private static String noticeOnly(String dumped) {
        String s = dumped.substring(dumped.indexOf("Received: by reference.test (Postfix)\n"));
        if (s.endsWith("\n\n")) s = s.substring(0, s.length() - 1);
        return s.replaceFirst("\nMessage-Id: <[^>]+>\n", "\n");
    }

    /** Queue IDs, dates, the boundary's time and TCP ports differ between runs and MTAs. */
    static String normalise(String report) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("X-Postfix-Queue-ID: (\\S+)").matcher(report);
        String s = m.find() ? report.replace(m.group(1), "QID") : report;
        java.util.regex.Matcher n = java.util.regex.Pattern.compile("\tid (\\S+); ").matcher(s);
        if (n.find()) s = s.replace(n.group(1), "NEWID");
        // each MTA's two deliveries run in parallel: the trace log has them in either order
        s = firstBlock(firstBlock(s, "<bob@", "<carol@"), "Final-Recipient: rfc822; bob@", "Final-Recipient: rfc822; carol@");
        return s.replaceAll("[A-Z][a-z]{2}, [ 0-9]\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4} \\([A-Z]+\\)", "DATE")
                .replaceAll("QID\\.\\d+/", "QID.TIME/")
                .replaceAll("\\]:\\d+", "]:PORT");
    }

    /** Moves the paragraph starting with first before the adjacent one starting with other. */
    private static String firstBlock(String s, String first, String other) {
        int o = s.indexOf(other);
        int f = s.indexOf(first);
        if (o < 0 || f < 0 || f < o) return s;
        int end = s.indexOf("\n\n", f) + 2;
        return s.substring(0, o) + s.substring(f, end) + s.substring(o, f) + s.substring(end);
    }
}
