package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.interop.SmtpFixture.Message;
import org.posthorn.interop.SmtpFixture.Outcome;
import org.posthorn.interop.SmtpFixture.RecordingReport;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.smtp.SmtpService;

/** smtp(8) and lmtp(8) against scripted servers: per-recipient results, 452, SIZE, SMTPUTF8, greetings. */
@Tag("interop")
class SmtpScriptedTest {
    private static final String CONTENT = "Subject: scripted\n\nbody\n";

    @TempDir
    Path tmp;

    private Message message(List<String> rcpts) throws Exception {
        return SmtpFixture.message(tmp.resolve("queue"), "sender@example.org", rcpts, CONTENT);
    }

    private SmtpService smtp(Map<String, String> settings) {
        return SmtpFixture.start(false, tmp, settings);
    }

    @Test
    void perRecipientResultsWithMultiLineReject() throws Exception {
        try (ScriptedServer s = new ScriptedServer(false)) {
            s.rcptReply = a -> switch (a) {
                case "bad@example.net" -> "550-5.1.1 <bad@example.net>: Recipient address rejected:\n550 5.1.1 User unknown";
                case "later@example.net" -> "451 4.3.0 Try again later";
                default -> "250 2.1.5 Ok";
            };
            RecordingReport r = SmtpFixture.deliver(smtp(Map.of()), "[127.0.0.1]:" + s.port(),
                    message(List.of("good@example.net", "bad@example.net", "later@example.net")));
            assertThat(r.of("good@example.net").kind()).isEqualTo("sent");
            assertThat(r.of("good@example.net").status().text()).isEqualTo("250 2.0.0 Ok: queued as SCRIPTED");
            Outcome bad = r.of("bad@example.net");
            assertThat(bad.kind()).isEqualTo("bounced");
            assertThat(bad.status().dsn()).isEqualTo("5.1.1");
            assertThat(bad.status().text()).isEqualTo("host 127.0.0.1[127.0.0.1] said: 550-5.1.1 <bad@example.net>: "
                    + "Recipient address rejected: 550 5.1.1 User unknown (in reply to RCPT TO command)");
            assertThat(r.of("later@example.net").kind()).isEqualTo("deferred");
            assertThat(r.of("later@example.net").status().dsn()).isEqualTo("4.3.0");
            assertThat(s.transactions).hasSize(1);
            assertThat(s.transactions.getFirst().rcpts()).containsExactly("good@example.net");
            assertThat(s.transactions.getFirst().mail()).isEqualTo("MAIL FROM:<sender@example.org> SIZE="
                    + message(List.of("x@example.net")).envelope().size().contentSize());
        }
    }

    @Test
    void tooManyRecipientsAreSentAgainInANewTransaction() throws Exception {
        try (ScriptedServer s = new ScriptedServer(false)) {
            java.util.concurrent.atomic.AtomicInteger inTransaction = new java.util.concurrent.atomic.AtomicInteger();
            SmtpService agent = smtp(Map.of());
            List<String> rcpts = IntStream.range(0, 5).mapToObj(i -> "r" + i + "@example.net").toList();
            // at most two recipients per transaction: the count restarts at each MAIL
            var counter = new Object() {
                String last = "";
            };
            s.rcptReply = a -> {
                String mail = s.commands.stream().filter(c -> c.startsWith("MAIL")).count() + "";
                if (!mail.equals(counter.last)) {
                    counter.last = mail;
                    inTransaction.set(0);
                }
                return inTransaction.incrementAndGet() > 2 ? "452 4.5.3 Error: too many recipients" : "250 2.1.5 Ok";
            };
            RecordingReport r = SmtpFixture.deliver(agent, "[127.0.0.1]:" + s.port(), message(rcpts));
            assertThat(r.outcomes).extracting(Outcome::kind).containsOnly("sent").hasSize(5);
            assertThat(s.transactions).extracting(t -> t.rcpts().size()).containsExactly(2, 2, 1);
            assertThat(s.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void sizeLimitOfTheServerBounces() throws Exception {
        try (ScriptedServer s = new ScriptedServer(false)) {
            s.keywords = List.of("PIPELINING", "SIZE 10");
            Message m = message(List.of("one@example.net"));
            Outcome o = SmtpFixture.deliver(smtp(Map.of()), "[127.0.0.1]:" + s.port(), m).of("one@example.net");
            assertThat(o.kind()).isEqualTo("bounced");
            assertThat(o.status().dsn()).isEqualTo("5.3.4");
            assertThat(o.status().text()).isEqualTo("message size " + m.envelope().size().contentSize()
                    + " exceeds size limit 10 of server 127.0.0.1[127.0.0.1]");
            assertThat(s.commands).noneMatch(c -> c.startsWith("MAIL"));
        }
    }

    @Test
    void smtputf8IsSentWhenNeededAndBouncesWhenNotOffered() throws Exception {
        try (ScriptedServer s = new ScriptedServer(false)) {
            Message m = SmtpFixture.message(tmp.resolve("queue"), "sender@example.org",
                    List.of(QueueFileWriter.Rcpt.of("jösé@example.net")), CONTENT, Map.of(), 1 | 8);
            assertThat(SmtpFixture.deliver(smtp(Map.of()), "[127.0.0.1]:" + s.port(), m).of("jösé@example.net").kind())
                    .isEqualTo("sent");
            assertThat(s.transactions.getFirst().mail()).endsWith(" SMTPUTF8");
            assertThat(s.commands).contains("RCPT TO:<jösé@example.net> ORCPT=rfc822;j+C3+B6s+C3+A9@example.net");

            s.keywords = List.of("PIPELINING", "8BITMIME");
            Outcome o = SmtpFixture.deliver(smtp(Map.of()), "[127.0.0.1]:" + s.port(), m).of("jösé@example.net");
            assertThat(o.kind()).isEqualTo("bounced");
            assertThat(o.status().dsn()).isEqualTo("5.6.7");
            assertThat(o.status().text()).isEqualTo("SMTPUTF8 is required, but was not offered by host 127.0.0.1[127.0.0.1]");
        }
    }

    @Test
    void fiveHundredGreetingIsSkippedForTheNextServer() throws Exception {
        try (ScriptedServer refusing = new ScriptedServer(false); ScriptedServer good = new ScriptedServer(false)) {
            refusing.greeting = "554 5.7.1 go away";
            String nexthop = "[127.0.0.1]:" + refusing.port() + ", [127.0.0.1]:" + good.port();
            Outcome o = SmtpFixture.deliver(smtp(Map.of()), nexthop, message(List.of("one@example.net"))).of("one@example.net");
            assertThat(o.kind()).isEqualTo("sent");
            assertThat(o.status().relay()).isEqualTo("127.0.0.1[127.0.0.1]:" + good.port());

            // alone, it defers (smtp_skip_5xx_greeting) or bounces (=no)
            Outcome alone = SmtpFixture.deliver(smtp(Map.of()), "[127.0.0.1]:" + refusing.port(),
                    message(List.of("two@example.net"))).of("two@example.net");
            assertThat(alone.kind()).isEqualTo("deferred");
            assertThat(alone.status().text()).isEqualTo("host 127.0.0.1[127.0.0.1] refused to talk to me: 554 5.7.1 go away");
            Outcome bounced = SmtpFixture.deliver(smtp(Map.of("smtp_skip_5xx_greeting", "no")), "[127.0.0.1]:"
                    + refusing.port(), message(List.of("three@example.net"))).of("three@example.net");
            assertThat(bounced.kind()).isEqualTo("bounced");
            assertThat(bounced.status().dsn()).isEqualTo("5.7.1");
        }
    }

    @Test
    void softRcptFailureIsRetriedAtTheNextServer() throws Exception {
        try (ScriptedServer first = new ScriptedServer(false); ScriptedServer second = new ScriptedServer(false)) {
            first.rcptReply = a -> a.startsWith("soft") ? "450 4.2.0 busy" : "250 2.1.5 Ok";
            String nexthop = "[127.0.0.1]:" + first.port() + ", [127.0.0.1]:" + second.port();
            RecordingReport r = SmtpFixture.deliver(smtp(Map.of()), nexthop,
                    message(List.of("soft@example.net", "fine@example.net")));
            assertThat(r.of("fine@example.net").status().relay()).endsWith(":" + first.port());
            assertThat(r.of("soft@example.net").kind()).isEqualTo("sent");
            assertThat(r.of("soft@example.net").status().relay()).endsWith(":" + second.port());
        }
    }

    @Test
    void nullSenderAndQuotedLocalParts() throws Exception {
        try (ScriptedServer s = new ScriptedServer(false)) {
            s.keywords = List.of("PIPELINING");
            Message m = SmtpFixture.message(tmp.resolve("queue"), "", List.of("john doe@example.net"), CONTENT);
            assertThat(SmtpFixture.deliver(smtp(Map.of()), "[127.0.0.1]:" + s.port(), m).of("john doe@example.net").kind())
                    .isEqualTo("sent");
            assertThat(s.commands).contains("MAIL FROM:<>", "RCPT TO:<\"john doe\"@example.net>");
        }
    }

    @Test
    void softFailureAtACachedServerIsNotRetriedThereAgain() throws Exception {
        try (ScriptedServer s = new ScriptedServer(false)) {
            SmtpService agent = smtp(Map.of());
            String nexthop = "[127.0.0.1]:" + s.port();
            SmtpFixture.deliver(agent, nexthop, message(List.of("first@example.net")));
            s.rcptReply = a -> "450 4.2.0 busy";
            Outcome o = SmtpFixture.deliver(agent, nexthop, message(List.of("second@example.net"))).of("second@example.net");
            assertThat(o.kind()).isEqualTo("deferred");
            assertThat(o.status().connUse()).isEqualTo(2);
            assertThat(s.commands.stream().filter(c -> c.startsWith("RCPT TO:<second")).count()).isEqualTo(1);
            agent.stop();
        }
    }

    @Test
    void sessionAndAddressLimits() throws Exception {
        try (ScriptedServer a = new ScriptedServer(false); ScriptedServer b = new ScriptedServer(false);
             ScriptedServer c = new ScriptedServer(false)) {
            for (ScriptedServer s : List.of(a, b, c)) s.rcptReply = x -> "451 4.3.0 later";
            String nexthop = "[127.0.0.1]:" + a.port() + " [127.0.0.1]:" + b.port() + " [127.0.0.1]:" + c.port();
            Outcome o = SmtpFixture.deliver(smtp(Map.of()), nexthop, message(List.of("x@example.net"))).of("x@example.net");
            assertThat(o.kind()).isEqualTo("deferred");
            assertThat(o.status().relay()).endsWith(":" + b.port());
            assertThat(List.of(a.connections.get(), b.connections.get(), c.connections.get())).containsExactly(1, 1, 0);

            Outcome three = SmtpFixture.deliver(smtp(Map.of("smtp_mx_session_limit", "3")), nexthop,
                    message(List.of("y@example.net"))).of("y@example.net");
            assertThat(three.status().relay()).endsWith(":" + c.port());
            assertThat(c.connections.get()).isEqualTo(1);

            SmtpFixture.deliver(smtp(Map.of("smtp_mx_session_limit", "3", "smtp_mx_address_limit", "1")), nexthop,
                    message(List.of("z@example.net")));
            assertThat(List.of(a.connections.get(), b.connections.get(), c.connections.get())).containsExactly(3, 2, 1);
        }
    }

    @Test
    void ehloRejectedFallsBackToHelo() throws Exception {
        try (ScriptedServer s = new ScriptedServer(false)) {
            s.keywords = List.of();
            SmtpService agent = smtp(Map.of("smtp_never_send_ehlo", "yes"));
            assertThat(SmtpFixture.deliver(agent, "[127.0.0.1]:" + s.port(), message(List.of("a@example.net")))
                    .of("a@example.net").kind()).isEqualTo("sent");
            assertThat(s.commands.getFirst()).isEqualTo("HELO posthorn.test");
            assertThat(s.transactions.getFirst().mail()).isEqualTo("MAIL FROM:<sender@example.org>");
        }
    }

    @Test
    void lmtpGetsOneReplyPerRecipient() throws Exception {
        try (ScriptedServer s = new ScriptedServer(true)) {
            s.dataReply = a -> a.startsWith("full") ? "452 4.2.2 <" + a + "> Mailbox full"
                    : a.startsWith("gone") ? "550 5.1.1 <" + a + "> User doesn't exist" : "250 2.0.0 <" + a + "> Saved";
            RecordingReport r = SmtpFixture.deliver(SmtpFixture.start(true, tmp, Map.of()), "inet:127.0.0.1:" + s.port(),
                    message(List.of("ok@example.net", "full@example.net", "gone@example.net")));
            assertThat(s.commands.getFirst()).isEqualTo("LHLO posthorn.test");
            assertThat(r.of("ok@example.net").kind()).isEqualTo("sent");
            assertThat(r.of("ok@example.net").status().text()).isEqualTo("250 2.0.0 <ok@example.net> Saved");
            assertThat(r.of("ok@example.net").status().diagnostic()).startsWith("lmtp; ");
            assertThat(r.of("full@example.net").kind()).isEqualTo("deferred");
            assertThat(r.of("gone@example.net").kind()).isEqualTo("bounced");
            assertThat(r.of("gone@example.net").status().text()).isEqualTo("host 127.0.0.1[127.0.0.1] said: 550 5.1.1 "
                    + "<gone@example.net> User doesn't exist (in reply to end of DATA command)");
        }
    }
}
