package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.cleanup.Recipient;
import org.posthorn.smtpd.Dialogue;
import org.posthorn.smtpd.RecordingCleanup;
import org.posthorn.smtpd.TestServer;

/**
 * What smtpd hands to cleanup (through a recording test double of the seam, since the
 * cleanup daemon does not exist yet) and what it logs, for sessions on a loopback port.
 * Log formats are Postfix 3.7.11's as observed in the oracle's maillog.
 */
@Tag("interop")
class SmtpdSessionTest {
    @TempDir
    Path spool;

    /** Sends the whole script in pieces (one write per element) and returns everything the server said. */
    private static String talk(int port, String... writes) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(8000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            readReply(in, got);
            for (String w : writes) {
                out.write(w.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                int replies = Math.max(1, countCommands(w));
                for (int i = 0; i < replies; i++) if (!readReply(in, got)) return got.toString(StandardCharsets.UTF_8);
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    /** Lines ending a command in one write (a DATA body ends with ".\r\n" and counts once). */
    private static int countCommands(String w) {
        if (w.endsWith("\r\n.\r\n")) return 1;
        int n = 0;
        for (String line : w.split("\r\n")) if (!line.isEmpty()) n++;
        return n;
    }

    private static boolean readReply(InputStream in, ByteArrayOutputStream got) throws IOException {
        for (;;) {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') line.append((char) c);
            if (c < 0) return false;
            got.writeBytes((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
            if (line.length() < 4 || line.charAt(3) != '-') return true;
        }
    }

    private static Map<String, String> cf(String... kv) {
        Map<String, String> m = new LinkedHashMap<>(Dialogue.mainCf("default"));
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    /** Log lines written since the mark, without waiting: the session logs before it closes. */
    private static List<String> logSince(int mark) throws InterruptedException {
        Thread.sleep(200);
        List<String> all = TestServer.log();
        return new ArrayList<>(all.subList(mark, all.size()));
    }

    @Test
    void aMessageReachesCleanupWithEnvelopeDsnAndReceivedHeaderFirst() throws Exception {
        RecordingCleanup cleanup = new RecordingCleanup(spool, false);
        int mark = TestServer.log().size();
        try (TestServer server = new TestServer(cf(), cleanup)) {
            String replies = talk(server.port(), "EHLO client.example\r\n",
                    "MAIL FROM:<s@client.example> SIZE=300 BODY=8BITMIME RET=HDRS ENVID=id+2B1\r\n",
                    "RCPT TO:<r@reference.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;R+40reference.test\r\n",
                    "DATA\r\n", "Subject: t\r\n\r\n..dot\r\nline\r\n.\r\n", "QUIT\r\n");
            assertThat(replies).contains("250 2.0.0 Ok: queued as 00001ABCDEF");
        }
        assertThat(cleanup.messages).hasSize(1);
        RecordingCleanup.Message m = cleanup.messages.getFirst();
        assertThat(m.envelope().sender()).isEqualTo("s@client.example");
        assertThat(m.envelope().size()).isEqualTo(300);
        assertThat(m.envelope().body()).isEqualTo("8BITMIME");
        assertThat(m.envelope().ret()).isEqualTo("HDRS");
        assertThat(m.envelope().envid()).isEqualTo("id+1");
        assertThat(m.recipients()).containsExactly(new Recipient("r@reference.test",
                Set.of(Recipient.Notify.SUCCESS, Recipient.Notify.DELAY), "rfc822;R@reference.test"));
        assertThat(m.origin().clientAddress()).isEqualTo("127.0.0.1");
        assertThat(m.origin().helo()).isEqualTo("client.example");
        assertThat(m.origin().protocol()).isEqualTo("ESMTP");
        String[] lines = m.content().split("\n");
        assertThat(lines[0]).isEqualTo("Received: from client.example (" + m.origin().clientName() + " [127.0.0.1])");
        assertThat(lines[1]).isEqualTo("\tby reference.test (Postfix) with ESMTP id 00001ABCDEF");
        assertThat(lines[2]).startsWith("\tfor <r@reference.test>; ");
        assertThat(List.of(lines).subList(3, lines.length)).containsExactly("Subject: t", "", ".dot", "line");
        String name = m.origin().nameAddress();
        assertThat(logSince(mark)).containsSubsequence("connect from " + name, "00001ABCDEF: client=" + name,
                "disconnect from " + name + " ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5");
    }

    @Test
    void accessActionsReachCleanup() throws Exception {
        RecordingCleanup cleanup = new RecordingCleanup(spool, false);
        try (TestServer server = new TestServer(cf("local_header_rewrite_clients", "",
                "smtpd_recipient_restrictions", "check_recipient_access inline:{h@reference.test=HOLD, "
                        + "{f@reference.test=FILTER smtp:[127.0.0.1]:10025}, {r@reference.test=REDIRECT o@reference.test}, "
                        + "{b@reference.test=BCC copy@reference.test}, {p@reference.test=PREPEND X-Test: yes}}"), cleanup)) {
            String replies = talk(server.port(), "EHLO client.example\r\n", "MAIL FROM:<s@client.example>\r\n",
                    "RCPT TO:<h@reference.test>\r\n", "RCPT TO:<f@reference.test>\r\n", "RCPT TO:<r@reference.test>\r\n",
                    "RCPT TO:<b@reference.test>\r\n", "RCPT TO:<p@reference.test>\r\n",
                    "DATA\r\n", "Subject: t\r\n\r\nbody\r\n.\r\n", "MAIL FROM:<s@client.example>\r\n",
                    "RCPT TO:<x@reference.test>\r\n", "DATA\r\n", "Subject: t\r\n\r\nbody\r\n.\r\n", "QUIT\r\n");
            assertThat(replies).contains("250 2.0.0 Ok: queued as");
        }
        // only the first transaction asked for anything
        assertThat(cleanup.flags).containsExactly("hold", "filter:smtp:[127.0.0.1]:10025", "redirect:o@reference.test");
        RecordingCleanup.Message m = cleanup.messages.getFirst();
        assertThat(m.recipients()).contains(new Recipient("copy@reference.test", Set.of(Recipient.Notify.NEVER),
                "rfc822;copy@reference.test"));
        assertThat(m.content().split("\n")[0]).isEqualTo("X-Test: yes");
        assertThat(m.origin().rewriteContext()).isEqualTo(org.posthorn.rewrite.RewriteContext.REMOTE);
        assertThat(cleanup.messages.get(1).recipients()).hasSize(1);
        assertThat(cleanup.messages.get(1).content()).startsWith("Received: ");
    }

    @Test
    void clientPortLoggingAddsThePortToTheClientInLogLines() throws Exception {
        RecordingCleanup cleanup = new RecordingCleanup(spool, false);
        int mark = TestServer.log().size();
        int port;
        try (TestServer server = new TestServer(cf("smtpd_client_port_logging", "yes"), cleanup);
             java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            port = s.getLocalPort();
            s.getOutputStream().write("QUIT\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getInputStream().readAllBytes();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (TestServer.log().subList(mark, TestServer.log().size()).stream().noneMatch(l -> l.startsWith("disconnect"))
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(TestServer.log().subList(mark, TestServer.log().size()))
                .contains("connect from localhost[127.0.0.1]:" + port)
                .anyMatch(l -> l.startsWith("disconnect from localhost[127.0.0.1]:" + port + " "));
    }

    @Test
    void theDefaultHeaderRewriteClientsMakeAnInterfaceClientLocal() throws Exception {
        RecordingCleanup cleanup = new RecordingCleanup(spool, false);
        try (TestServer server = new TestServer(cf(), cleanup)) {
            talk(server.port(), "EHLO client.example\r\n", "MAIL FROM:<s@client.example>\r\n",
                    "RCPT TO:<h@reference.test>\r\n", "DATA\r\n", "Subject: t\r\n\r\nbody\r\n.\r\n", "QUIT\r\n");
        }
        assertThat(cleanup.messages.getFirst().origin().rewriteContext()).isEqualTo(org.posthorn.rewrite.RewriteContext.LOCAL);
    }

    @Test
    void aRecipientWithoutOrcptGetsTheRfc822DefaultAndNoNotify() throws Exception {
        RecordingCleanup cleanup = new RecordingCleanup(spool, false);
        try (TestServer server = new TestServer(cf(), cleanup)) {
            talk(server.port(), "HELO c\r\n", "MAIL FROM:<>\r\n", "RCPT TO:<a@reference.test>\r\n",
                    "RCPT TO:<b@reference.test>\r\n", "DATA\r\n", "x\r\n.\r\n", "QUIT\r\n");
        }
        RecordingCleanup.Message m = cleanup.messages.getFirst();
        assertThat(m.envelope().sender()).isEmpty();
        assertThat(m.envelope().size()).isEqualTo(-1);
        assertThat(m.recipients()).containsExactly(new Recipient("a@reference.test", Set.of(), "rfc822;a@reference.test"),
                new Recipient("b@reference.test", Set.of(), "rfc822;b@reference.test"));
        // two recipients: no "for" clause; HELO gives protocol SMTP
        assertThat(m.content()).contains("\tby reference.test (Postfix) with SMTP id " + m.queueId() + ";\n\t");
    }

    @Test
    void rsetAndRejectedContentLeaveNothingInTheQueue() throws Exception {
        RecordingCleanup cleanup = new RecordingCleanup(spool, false);
        int mark = TestServer.log().size();
        try (TestServer server = new TestServer(cf("smtpd_forbid_bare_newline", "reject"), cleanup)) {
            talk(server.port(), "EHLO c\r\n", "MAIL FROM:<a@c>\r\n", "RCPT TO:<b@reference.test>\r\n", "RSET\r\n",
                    "MAIL FROM:<a@c>\r\n", "RCPT TO:<b@reference.test>\r\n", "DATA\r\n", "x\n.\nMAIL\r\n.\r\n",
                    "QUIT\r\n");
        }
        assertThat(cleanup.messages).isEmpty();
        assertThat(cleanup.aborted.get()).isEqualTo(2);
        assertThat(logSince(mark)).anyMatch(l -> l.matches("[0-9A-F]+: reject: END-OF-MESSAGE from [^ ]+\\[127.0.0.1\\]: "
                + "bare <LF> received; from=<a@c> to=<b@reference.test> proto=ESMTP helo=<c>"));
    }

    /** SMUG-13: a too-big message with a smuggling sequence is read to the real end and refused once. */
    @Test
    void aTooBigMessageIsReadToTheRealEndAndNothingIsSmuggled() throws Exception {
        RecordingCleanup cleanup = new RecordingCleanup(spool, false);
        try (TestServer server = new TestServer(cf("message_size_limit", "1000", "smtpd_forbid_bare_newline", "normalize"),
                cleanup)) {
            String body = "Subject: outer\r\n\r\n" + "x".repeat(5000) + "\r\nline\n.\r\nMAIL FROM:<admin@reference.test>\r\n"
                    + "RCPT TO:<victim@reference.test>\r\nDATA\r\nSubject: SMUGGLED\r\n\r\nx\r\n.\r\n";
            String replies = talk(server.port(), "EHLO c.example\r\n", "MAIL FROM:<a@c.example>\r\n",
                    "RCPT TO:<b@reference.test>\r\n", "DATA\r\n", body, "QUIT\r\n");
            assertThat(replies.replace("\r", "")).endsWith("354 End data with <CR><LF>.<CR><LF>\n552 5.3.4 Error: message file too big\n"
                    + "221 2.0.0 Bye\n");
        }
        assertThat(cleanup.messages).isEmpty();
        assertThat(cleanup.aborted.get()).isEqualTo(1);
    }

    @Test
    void theSizeRejectIsLoggedAsPostfixDoes() throws Exception {
        int mark = TestServer.log().size();
        try (TestServer server = new TestServer(cf("message_size_limit", "1000"), new RecordingCleanup(spool, false))) {
            talk(server.port(), "EHLO c.example\r\n", "MAIL FROM:<a@c.example> SIZE=1001\r\n", "QUIT\r\n");
        }
        assertThat(logSince(mark)).anyMatch(l -> l.matches("NOQUEUE: reject: MAIL from [^ ]+\\[127.0.0.1\\]: 552 5.3.4 "
                + "Message size exceeds fixed limit; from=<a@c.example> proto=ESMTP helo=<c.example>"))
                .anyMatch(l -> l.endsWith(" ehlo=1 mail=0/1 quit=1 commands=2/3"));
    }

    @Test
    void lostConnectionsTimeoutsAndPipeliningAreLogged() throws Exception {
        int mark = TestServer.log().size();
        try (TestServer server = new TestServer(cf("smtpd_timeout", "1s", "smtpd_forbid_unauth_pipelining", "yes"),
                new RecordingCleanup(spool, false), 300)) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                // talking before the greeting: no greeting, only the 554
                s.getOutputStream().write("EHLO c\r\nMAIL FROM:<a@c>\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("554 5.5.0 Error: SMTP protocol synchronization\r\n");
            }
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                readReply(s.getInputStream(), new ByteArrayOutputStream());
                s.getOutputStream().write("EHLO c\r\nMAIL FROM:<a@c>\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("554 5.5.0 Error: SMTP protocol synchronization\r\n");
            }
            talk(server.port(), "EHLO c\r\n", "MAIL FROM:<a@c>\r\n");
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                readReply(s.getInputStream(), new ByteArrayOutputStream());
                s.getOutputStream().write("HELO c\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("250 reference.test\r\n421 4.4.2 reference.test Error: timeout exceeded\r\n");
            }
        }
        List<String> log = logSince(mark);
        assertThat(log).anyMatch(l -> l.matches("improper command pipelining after CONNECT from [^ ]+\\[127.0.0.1\\]: "
                + "EHLO c\\\\r\\\\nMAIL FROM:<a@c>\\\\r\\\\n"));
        assertThat(log).anyMatch(l -> l.endsWith("[127.0.0.1] commands=0/0"));
        assertThat(log).anyMatch(l -> l.endsWith("[127.0.0.1] ehlo=0/1 commands=0/1"));
        assertThat(log).anyMatch(l -> l.matches("improper command pipelining after EHLO from [^ ]+\\[127.0.0.1\\]: "
                + "MAIL FROM:<a@c>\\\\r\\\\n"));
        assertThat(log).anyMatch(l -> l.matches("lost connection after MAIL from [^ ]+\\[127.0.0.1\\]"));
        assertThat(log).anyMatch(l -> l.matches("timeout after HELO from [^ ]+\\[127.0.0.1\\]"));
    }

    @Test
    void aClientThatNeverReadsRepliesIsCutOffAfterTheTimeout() throws Exception {
        int mark = TestServer.log().size();
        try (TestServer server = new TestServer(cf("smtpd_timeout", "1s", "smtpd_junk_command_limit", "100000000",
                "smtpd_hard_error_limit", "100000000"), new RecordingCleanup(spool, false))) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setReceiveBufferSize(4096);
                OutputStream out = s.getOutputStream();
                byte[] noops = "NOOP\r\n".repeat(10000).getBytes(StandardCharsets.US_ASCII);
                long start = System.nanoTime();
                try {
                    // 400 MB of commands would be 1 GB of replies: the server must give up first
                    for (int i = 0; i < 6000; i++) out.write(noops);
                } catch (IOException expected) {
                    // the server closed the connection
                }
                assertThat(System.nanoTime() - start).isLessThan(20_000_000_000L);
            }
        }
        assertThat(logSince(mark)).anyMatch(l -> l.matches("timeout after NOOP from [^ ]+\\[127.0.0.1\\]"));
    }

    /** Postfix 3.7.11 measured: replies wait smtpd_error_sleep_time once the error count reaches the soft limit. */
    @Test
    void pastTheSoftErrorLimitEveryReplyIsDelayed() throws Exception {
        try (TestServer server = new TestServer(cf("smtpd_error_sleep_time", "1s", "smtpd_soft_error_limit", "2"),
                new RecordingCleanup(spool, false));
             Socket s = new Socket("127.0.0.1", server.port())) {
            InputStream in = s.getInputStream();
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            readReply(in, sink);
            long[] took = new long[4];
            String[] commands = {"FOO\r\n", "FOO\r\n", "NOOP\r\n", "NOOP\r\n"};
            for (int i = 0; i < commands.length; i++) {
                long start = System.nanoTime();
                s.getOutputStream().write(commands[i].getBytes(StandardCharsets.US_ASCII));
                readReply(in, sink);
                took[i] = (System.nanoTime() - start) / 1_000_000;
            }
            assertThat(took[0]).isLessThan(500);
            assertThat(took[1]).isLessThan(500);
            assertThat(took[2]).isGreaterThanOrEqualTo(900);
            assertThat(took[3]).isGreaterThanOrEqualTo(900);
        }
    }

    @Test
    void lostConnectionInsideDataCountsTheBytes() throws Exception {
        int mark = TestServer.log().size();
        try (TestServer server = new TestServer(cf(), new RecordingCleanup(spool, false))) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                readReply(s.getInputStream(), new ByteArrayOutputStream());
                s.getOutputStream().write(("EHLO c\r\nMAIL FROM:<a@c>\r\nRCPT TO:<b@reference.test>\r\nDATA\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                for (int i = 0; i < 4; i++) readReply(s.getInputStream(), got);
                s.getOutputStream().write("Subject: x\r\n\r\nbody".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                Thread.sleep(200);
            }
        }
        assertThat(logSince(mark)).anyMatch(l -> l.matches("lost connection after DATA \\(14 bytes\\) from [^ ]+\\[127.0.0.1\\]"));
    }

    @Test
    void xclientChangesTheClientAndXforwardIsLogged() throws Exception {
        RecordingCleanup cleanup = new RecordingCleanup(spool, false);
        int mark = TestServer.log().size();
        // the proxied client must pass the relay restrictions (permit_mynetworks) too
        try (TestServer server = new TestServer(cf("smtpd_authorized_xclient_hosts", "127.0.0.1",
                "smtpd_authorized_xforward_hosts", "127.0.0.1", "mynetworks", "127.0.0.0/8 192.0.2.0/24"), cleanup)) {
            talk(server.port(), "EHLO proxy\r\n", "XCLIENT NAME=mail.example.org ADDR=192.0.2.7 PORT=4321 HELO=h.example\r\n",
                    "EHLO real.example\r\n", "MAIL FROM:<a@example.org>\r\n", "RCPT TO:<b@reference.test>\r\n", "DATA\r\n",
                    "x\r\n.\r\n", "QUIT\r\n");
            talk(server.port(), "EHLO filter\r\n", "XFORWARD NAME=orig.example ADDR=192.0.2.9 IDENT=ABC123\r\n",
                    "MAIL FROM:<a@example.org>\r\n", "RCPT TO:<b@reference.test>\r\n", "DATA\r\n", "x\r\n.\r\n", "QUIT\r\n");
        }
        RecordingCleanup.Message first = cleanup.messages.get(0);
        assertThat(first.origin().nameAddress()).isEqualTo("mail.example.org[192.0.2.7]");
        assertThat(first.origin().clientPort()).isEqualTo(4321);
        assertThat(first.content()).startsWith("Received: from real.example (mail.example.org [192.0.2.7])\n");
        RecordingCleanup.Message second = cleanup.messages.get(1);
        assertThat(second.origin().forward().name()).isEqualTo("orig.example");
        assertThat(second.origin().forward().ident()).isEqualTo("ABC123");
        List<String> log = logSince(mark);
        assertThat(log).contains(first.queueId() + ": client=mail.example.org[192.0.2.7]");
        assertThat(log).anyMatch(l -> l.startsWith("disconnect from mail.example.org[192.0.2.7] ehlo=2 xclient=0/1 "));
        assertThat(log).anyMatch(l -> l.matches(second.queueId() + ": client=[^ ]+\\[127.0.0.1\\], "
                + "orig_queue_id=ABC123, orig_client=orig.example\\[192.0.2.9\\]"));
    }
}
