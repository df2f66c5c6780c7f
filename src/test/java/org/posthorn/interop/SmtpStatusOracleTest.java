package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.posthorn.interop.SmtpFixture.Outcome;
import org.posthorn.interop.SmtpFixture.SmtpSink;
import org.posthorn.smtp.SmtpService;

/**
 * Differential test: a real Postfix and Posthorn's smtp client deliver the same message to the
 * same smtp-sink (set to accept, defer, reject or drop at one command); the relay=, dsn=,
 * status= and reason text of Postfix's log line must equal what our client reports.
 */
@Tag("interop")
class SmtpStatusOracleTest {
    private static final Pattern LINE = Pattern.compile(
            "postfix/smtp\\[\\d+\\]: \\w+: to=<(?<to>[^>]*)>, relay=(?<relay>\\S+), (?:conn_use=\\d+, )?delay=\\S+, "
                    + "delays=\\S+, dsn=(?<dsn>[\\d.]+), status=(?<status>\\w+) \\((?<text>.*)\\)$", Pattern.MULTILINE);

    static ReferencePostfix postfix;
    static Path base;
    static int smtpPort;
    static int sinkPort;

    @BeforeAll
    static void startPostfix() throws Exception {
        sinkPort = SmtpFixture.freePort();
        postfix = new ReferencePostfix("posthorn-smtp-oracle-", sinkPort, "smtp_connection_cache_on_demand = no",
                "notify_classes =");
        base = postfix.base;
        smtpPort = postfix.smtpPort;
    }

    @AfterAll
    static void stopPostfix() throws Exception {
        if (postfix != null) postfix.close();
    }

    /** Postfix's delivery line for a recipient, waited for. */
    private static Matcher postfixLine(String rcpt) throws Exception {
        long end = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < end) {
            Path log = base.resolve("maillog");
            if (Files.exists(log)) {
                Matcher m = LINE.matcher(Files.readString(log));
                while (m.find()) if (m.group("to").equals(rcpt)) return m;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Postfix logged no delivery for " + rcpt + ":\n"
                + (Files.exists(base.resolve("maillog")) ? Files.readString(base.resolve("maillog")) : ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"accept", "-r RCPT", "-f RCPT", "-f MAIL", "-f DATA", "-f .", "-q DATA", "-q RCPT",
            "-q CONNECT", "-Q MAIL", "refused", "-f CONNECT", "-r CONNECT", "-f EHLO", "-r EHLO", "-r MAIL",
            "-r DATA", "-r .", "-q .", "-f EHLO,HELO"})
    void sameStatusAsPostfix(String mode) throws Exception {
        Path work = Files.createTempDirectory(base, "case-");
        String tag = mode.replaceAll("[^A-Za-z]", "").toLowerCase();
        String rcpt = "r-" + tag + "-" + System.nanoTime() + "@remote.test";
        String[] options = mode.equals("accept") || mode.equals("refused") ? new String[0] : mode.split(" ");
        SmtpSink sink = mode.equals("refused") ? null : new SmtpSink(work.resolve("dumps"), "127.0.0.1", sinkPort, options);
        try {
            // Postfix: receive (from our client, into its smtpd) and relay to the sink
            SmtpService smtp = SmtpFixture.start(false, work, Map.of());
            Outcome submitted = SmtpFixture.deliver(smtp, "[127.0.0.1]:" + smtpPort,
                    SmtpFixture.message(work.resolve("queue"), "sender@example.org", List.of(rcpt), "Subject: oracle\n\nx\n"))
                    .of(rcpt);
            assertThat(submitted.kind()).isEqualTo("sent");
            Matcher postfix = postfixLine(rcpt);

            // Posthorn: the same message straight to the same sink
            Outcome ours = SmtpFixture.deliver(smtp, "[127.0.0.1]:" + sinkPort,
                    SmtpFixture.message(work.resolve("queue"), "sender@example.org", List.of(rcpt), "Subject: oracle\n\nx\n"))
                    .of(rcpt);
            smtp.stop();
            String expectedKind = postfix.group("status");
            assertThat(ours.kind()).as(mode).isEqualTo(expectedKind);
            assertThat(ours.status().dsn()).as(mode).isEqualTo(postfix.group("dsn"));
            assertThat(ours.status().relay()).as(mode).isEqualTo(postfix.group("relay"));
            String text = postfix.group("text");
            if (expectedKind.equals("sent")) {
                assertThat(ours.status().text()).isEqualTo(text);
            } else {
                assertThat(ours.status().text()).as(mode).isEqualTo(text);
            }
        } finally {
            if (sink != null) sink.close();
        }
    }

    private static final String HEAD = "Subject: downgrade\nMessage-ID: <dg@example.org>\n"
            + "Date: Fri, 27 Nov 2026 20:00:00 +0000\nFrom: sender@example.org\n";

    @ParameterizedTest
    @ValueSource(strings = {
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
                + "preamble\n--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                + "Grüße = Süßes, trailing space \nääääääääääääääääääääääääääääääääääääääääääääääää end\n.dot line\n"
                + "--b1\nContent-Type: text/plain\n\nseven bit part\n--b1--\n",
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nsingle ü part\n",
        "MIME-Version: 1.0\nContent-Type: message/rfc822\nContent-Transfer-Encoding: 8bit\n\nSubject: inner\n"
                + "Content-Transfer-Encoding: 8bit\n\ninner ü\n",
        "\nno MIME at all, 8-bit ü body\n",
        "MIME-Version: 1.0\nContent-Type: text/plain\nContent-Transfer-Encoding: 7bit\n\nLONG\nshort\n.LONG\n"})
    void eightBitDowngradeMatchesPostfix(String mime) throws Exception {
        Path work = Files.createTempDirectory(base, "downgrade-");
        String rcpt = "downgrade-" + System.nanoTime() + "@remote.test";
        // LONG: a line of 2500 characters (folded at smtp_line_length_limit), once after a dot
        String content = HEAD + mime.replace("LONG", "0123456789".repeat(250));
        try (SmtpSink sink = new SmtpSink(work.resolve("dumps"), "127.0.0.1", sinkPort, "-8")) {
            SmtpService smtp = SmtpFixture.start(false, work, Map.of());
            SmtpFixture.Message m = SmtpFixture.message(work.resolve("queue"), "sender@example.org",
                    List.of(org.posthorn.queue.QueueFileWriter.Rcpt.of(rcpt)), content, Map.of("encoding", "8bit"), 0);
            assertThat(SmtpFixture.deliver(smtp, "[127.0.0.1]:" + smtpPort, m).of(rcpt).kind()).isEqualTo("sent");
            postfixLine(rcpt);
            assertThat(SmtpFixture.deliver(smtp, "[127.0.0.1]:" + sinkPort, m).of(rcpt).kind()).isEqualTo("sent");
            smtp.stop();
            List<String> dumps = sink.awaitMessages(2);
            assertThat(dumps).hasSize(2);
            List<String> bodies = dumps.stream().map(d -> d.substring(d.indexOf("Subject: downgrade"))).toList();
            assertThat(bodies.get(1)).isEqualTo(bodies.get(0));
        }
    }
}
