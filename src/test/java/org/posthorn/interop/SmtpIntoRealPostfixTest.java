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
import org.posthorn.interop.SmtpFixture.Outcome;
import org.posthorn.interop.SmtpFixture.RecordingReport;
import org.posthorn.smtp.SmtpService;

/**
 * smtp(8) delivering into a real Debian Postfix (smtpd, cleanup, qmgr) that holds every
 * message it receives: the Postfix log and queue show our message arrived intact.
 */
@Tag("interop")
class SmtpIntoRealPostfixTest {
    static ReferencePostfix postfix;

    @BeforeAll
    static void startPostfix() throws Exception {
        postfix = new ReferencePostfix("posthorn-smtp-", SmtpFixture.freePort(),
                "smtpd_client_restrictions = check_client_access static:HOLD");
    }

    @AfterAll
    static void stopPostfix() throws Exception {
        if (postfix != null) postfix.close();
    }

    @Test
    void postfixReceivesOurMessage() throws Exception {
        Path work = Files.createTempDirectory(postfix.base, "client-");
        String content = "Subject: to the real Postfix\nFrom: sender@example.org\nMessage-ID: <posthorn-1@example.org>\n\n"
                + "first\n.dotted\n" + "z".repeat(1200) + "\nlast line\n";
        SmtpService smtp = SmtpFixture.start(false, work, Map.of());
        RecordingReport r = SmtpFixture.deliver(smtp, "[127.0.0.1]:" + postfix.smtpPort,
                SmtpFixture.message(work.resolve("queue"), "sender@example.org", List.of("one@remote.test", "two@remote.test"),
                        content));
        smtp.stop();
        assertThat(r.outcomes).hasSize(2);
        Outcome o = r.of("one@remote.test");
        assertThat(o.kind()).as("%s; Postfix log: %s", o, postfix.log()).isEqualTo("sent");
        assertThat(o.status().relay()).isEqualTo("127.0.0.1[127.0.0.1]:" + postfix.smtpPort);
        Matcher m = Pattern.compile("^250 2\\.0\\.0 Ok: queued as ([0-9A-F]+)$").matcher(o.status().text());
        assertThat(m.matches()).as(o.status().text()).isTrue();
        String id = m.group(1);

        // Postfix's own log: the client, the message-id, the hold, and its queue listing
        long end = System.nanoTime() + 10_000_000_000L;
        while (!postfix.log().contains("commands=6") && System.nanoTime() < end) Thread.sleep(100);
        assertThat(postfix.log()).contains(id + ": client=localhost[127.0.0.1]")
                .contains(id + ": message-id=<posthorn-1@example.org>")
                .contains("NOQUEUE: hold: RCPT from localhost[127.0.0.1]")
                .contains("helo=<posthorn.test>")
                // one clean session: the cached connection was closed with QUIT when the service stopped
                .contains("disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=2 data=1 quit=1 commands=6");
        String queue = postfix.tool("postqueue", "-p");
        assertThat(queue).contains(id + "!").contains("sender@example.org").contains("one@remote.test")
                .contains("two@remote.test");
        // postcat: the body arrived with the dot line intact and the long line folded at 998 as Postfix does
        String body = postfix.tool("postcat", "-b", "-q", id);
        assertThat(body).contains("first\n.dotted\n" + "z".repeat(998) + "\n " + "z".repeat(202) + "\nlast line\n");
        String envelope = postfix.tool("postcat", "-e", "-q", id);
        assertThat(envelope).contains("named_attribute: helo_name=posthorn.test");
    }
}
