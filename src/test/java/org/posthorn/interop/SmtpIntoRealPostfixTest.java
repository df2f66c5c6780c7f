package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.posthorn.interop.SmtpFixture.Outcome;
import org.posthorn.interop.SmtpFixture.RecordingReport;
import org.posthorn.smtp.SmtpService;

/**
 * smtp(8) delivering into a real Debian Postfix (smtpd, cleanup, qmgr) that holds every
 * message it receives: the Postfix log and queue show our message arrived intact.
 */
@Tag("interop")
class SmtpIntoRealPostfixTest {
    static Path base;
    static Path script;
    static int smtpPort;

    @BeforeAll
    static void startPostfix() throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), "posthorn-smtp-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        script = base.resolve("queue-postfix.sh");
        try (InputStream in = SmtpIntoRealPostfixTest.class.getResourceAsStream("queue-postfix.sh")) {
            Files.copy(in, script);
        }
        smtpPort = SmtpFixture.freePort();
        PostcatOracle.Result r = PostcatOracle.run(List.of("bash", script.toString(), base.toString(),
                Integer.toString(smtpPort), Integer.toString(SmtpFixture.freePort()), "start",
                "smtpd_client_restrictions = check_client_access static:HOLD"));
        if (r.status() != 0) {
            throw new IllegalStateException("cannot start the reference Postfix (exit " + r.status() + "): "
                    + r.err() + " -- these tests need root and Debian's postfix package");
        }
        SmtpFixture.awaitListening("127.0.0.1", smtpPort, null);
    }

    @AfterAll
    static void stopPostfix() throws Exception {
        if (script != null) PostcatOracle.run(List.of("bash", script.toString(), base.toString(), "0", "0", "stop"));
        if (base != null) {
            try (var walk = Files.walk(base)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String postfix(String tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool, "-c", base.resolve("etc").toString()));
        cmd.addAll(List.of(args));
        PostcatOracle.Result r = PostcatOracle.run(cmd);
        assertThat(r.status()).as("%s: %s", cmd, r.err()).isZero();
        return new String(r.out(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String log() throws Exception {
        Path log = base.resolve("maillog");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Test
    void postfixReceivesOurMessage() throws Exception {
        Path work = Files.createTempDirectory(base, "client-");
        String content = "Subject: to the real Postfix\nFrom: sender@example.org\nMessage-ID: <posthorn-1@example.org>\n\n"
                + "first\n.dotted\n" + "z".repeat(1200) + "\nlast line\n";
        SmtpService smtp = SmtpFixture.start(false, work, Map.of());
        RecordingReport r = SmtpFixture.deliver(smtp, "[127.0.0.1]:" + smtpPort,
                SmtpFixture.message(work.resolve("queue"), "sender@example.org", List.of("one@remote.test", "two@remote.test"),
                        content));
        smtp.stop();
        assertThat(r.outcomes).hasSize(2);
        Outcome o = r.of("one@remote.test");
        assertThat(o.kind()).as("%s; Postfix log: %s", o, log()).isEqualTo("sent");
        assertThat(o.status().relay()).isEqualTo("127.0.0.1[127.0.0.1]:" + smtpPort);
        Matcher m = Pattern.compile("^250 2\\.0\\.0 Ok: queued as ([0-9A-F]+)$").matcher(o.status().text());
        assertThat(m.matches()).as(o.status().text()).isTrue();
        String id = m.group(1);

        // Postfix's own log: the client, the message-id, the hold, and its queue listing
        long end = System.nanoTime() + 10_000_000_000L;
        while (!log().contains("commands=6") && System.nanoTime() < end) Thread.sleep(100);
        assertThat(log()).contains(id + ": client=localhost[127.0.0.1]")
                .contains(id + ": message-id=<posthorn-1@example.org>")
                .contains("NOQUEUE: hold: RCPT from localhost[127.0.0.1]")
                .contains("helo=<posthorn.test>")
                // one clean session: the cached connection was closed with QUIT when the service stopped
                .contains("disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=2 data=1 quit=1 commands=6");
        String queue = postfix("postqueue", "-p");
        assertThat(queue).contains(id + "!").contains("sender@example.org").contains("one@remote.test")
                .contains("two@remote.test");
        // postcat: the body arrived with the dot line intact and the long line folded at 998 as Postfix does
        String body = postfix("postcat", "-b", "-q", id);
        assertThat(body).contains("first\n.dotted\n" + "z".repeat(998) + "\n " + "z".repeat(202) + "\nlast line\n");
        String envelope = postfix("postcat", "-e", "-q", id);
        assertThat(envelope).contains("named_attribute: helo_name=posthorn.test");
    }
}
