package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.cleanup.Recipient;
import org.posthorn.smtpd.Dialogue;
import org.posthorn.smtpd.RecordingCleanup;
import org.posthorn.smtpd.TestServer;

/** Real SMTP clients (swaks, Python's smtplib) against our smtpd on a loopback port. */
@Tag("interop")
class SmtpdClientsTest {
    @TempDir
    Path spool;

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static boolean exists(String program) {
        return Files.isExecutable(Path.of("/usr/bin", program));
    }

    @Test
    void swaksSendsAMessageWithAndWithoutPipelining() throws Exception {
        assumeTrue(exists("swaks"), "swaks is not installed");
        RecordingCleanup cleanup = new RecordingCleanup(spool, false);
        Map<String, String> cf = Dialogue.mainCf("pipelining");
        try (TestServer server = new TestServer(cf, cleanup)) {
            String server127 = "127.0.0.1:" + server.port();
            String out = run(List.of("swaks", "--server", server127, "--helo", "swaks.example",
                    "--from", "s@swaks.example", "--to", "r@reference.test", "--header", "Subject: via swaks",
                    "--body", "line one\n.dot line\n"));
            assertThat(out).contains("<-  250 2.0.0 Ok: queued as ");
            run(List.of("swaks", "--server", server127, "--pipeline", "--from", "s@swaks.example",
                    "--to", "r1@reference.test,r2@reference.test", "--body", "pipelined"));
        }
        assertThat(cleanup.messages).hasSize(2);
        assertThat(cleanup.messages.get(0).content()).contains("Subject: via swaks\n").contains("\n.dot line\n");
        assertThat(cleanup.messages.get(1).recipients()).extracting(Recipient::address)
                .containsExactly("r1@reference.test", "r2@reference.test");
    }

    @Test
    void pythonSmtplibUsesEsmtpOptions() throws Exception {
        assumeTrue(exists("python3"), "python3 is not installed");
        RecordingCleanup cleanup = new RecordingCleanup(spool, false);
        try (TestServer server = new TestServer(Dialogue.mainCf("default"), cleanup)) {
            String script = String.join("\n",
                    "import smtplib, sys",
                    "s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))",
                    "s.ehlo('py.example')",
                    "assert s.has_extn('dsn') and s.has_extn('smtputf8') and s.has_extn('chunking')",
                    "assert int(s.esmtp_features['size']) == 10240000",
                    "msg = 'Subject: py\\r\\n\\r\\n.leading dot\\r\\nbody\\r\\n'",
                    "r = s.sendmail('p@py.example', ['r@reference.test'], msg,"
                            + " mail_options=['SMTPUTF8', 'BODY=8BITMIME', 'RET=FULL'],"
                            + " rcpt_options=['NOTIFY=FAILURE'])",
                    "assert r == {}",
                    "code, text = s.vrfy('someone@reference.test')",
                    "print(code, text)",
                    "s.quit()");
            String out = run(List.of("/usr/bin/python3", "-c", script, String.valueOf(server.port())));
            assertThat(out).contains("252 b'2.0.0 someone@reference.test'");
        }
        RecordingCleanup.Message m = cleanup.messages.getFirst();
        assertThat(m.envelope().smtputf8()).isTrue();
        assertThat(m.envelope().ret()).isEqualTo("FULL");
        // as Postfix: protocol_name ESMTP in the queue file, UTF8SMTP in Received:
        assertThat(m.origin().protocol()).isEqualTo("ESMTP");
        assertThat(m.content()).contains(" with UTF8SMTP id ").endsWith("Subject: py\n\n.leading dot\nbody\n");
        assertThat(m.recipients().getFirst().dsnNotify()).containsExactly(Recipient.Notify.FAILURE);
    }
}
