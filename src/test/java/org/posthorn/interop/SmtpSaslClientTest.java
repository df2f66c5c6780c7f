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
 * smtp(8) logging in to a real Postfix smtpd that authenticates through a real Dovecot and
 * relays only for logged-in clients: with the right password the message is taken (and
 * Postfix logs our sasl_username), with a wrong one the recipients are deferred with the same
 * status as Postfix's own smtp client gets from the same server.
 */
@Tag("interop")
class SmtpSaslClientTest {
    static DovecotAuth dovecot;
    static ReferencePostfix server;

    @BeforeAll
    static void start() throws Exception {
        dovecot = new DovecotAuth(Map.of("bob", "{PLAIN}bobpw"));
        server = new ReferencePostfix("posthorn-sasl-server-", SmtpFixture.freePort(),
                "smtpd_sasl_auth_enable = yes", "smtpd_sasl_type = dovecot", "smtpd_sasl_path = " + dovecot.socket,
                "mynetworks = 192.0.2.0/24", "smtpd_relay_restrictions = permit_sasl_authenticated reject_unauth_destination",
                "smtpd_client_restrictions = check_client_access static:HOLD");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (dovecot != null) dovecot.close();
    }

    private RecordingReport deliver(String rcpt, Map<String, String> settings) throws Exception {
        Path work = Files.createTempDirectory(server.base, "client-");
        SmtpService smtp = SmtpFixture.start(false, work, settings);
        RecordingReport r = SmtpFixture.deliver(smtp, "[127.0.0.1]:" + server.smtpPort,
                SmtpFixture.message(work.resolve("queue"), "sender@example.org", List.of(rcpt), "Subject: sasl\n\nhi\n"));
        smtp.stop();
        return r;
    }

    private static Map<String, String> login(String credentials) {
        return Map.of("smtp_sasl_auth_enable", "yes",
                "smtp_sasl_password_maps", "inline:{{[127.0.0.1]:" + server.smtpPort + "=" + credentials + "}}",
                "smtp_sasl_security_options", "noanonymous");
    }

    @Test
    void logsInAndRelays() throws Exception {
        Outcome o = deliver("ok@remote.test", login("bob:bobpw")).of("ok@remote.test");
        assertThat(o.kind()).as("%s; Postfix log: %s", o, server.log()).isEqualTo("sent");
        Matcher m = Pattern.compile("queued as ([0-9A-F]+)$").matcher(o.status().text());
        assertThat(m.find()).isTrue();
        long end = System.nanoTime() + 10_000_000_000L;
        while (!server.log().contains(m.group(1) + ": client=") && System.nanoTime() < end) Thread.sleep(100);
        assertThat(server.log()).contains(m.group(1) + ": client=localhost[127.0.0.1], sasl_method=PLAIN, sasl_username=bob");
    }

    @Test
    void withoutCredentialsTheServerRefusesToRelay() throws Exception {
        Outcome o = deliver("nologin@remote.test", Map.of("smtp_sasl_auth_enable", "yes")).of("nologin@remote.test");
        assertThat(o.kind()).isEqualTo("bounced");
        assertThat(o.status().text()).contains("554 5.7.1 <nologin@remote.test>: Relay access denied");
    }

    @Test
    void aRefusedPasswordDefersAsPostfixsClientDoes() throws Exception {
        Outcome o = deliver("wrong@remote.test", login("bob:wrong")).of("wrong@remote.test");
        assertThat(o.kind()).isEqualTo("deferred");
        String expected = "SASL authentication failed; server 127.0.0.1[127.0.0.1] said: 535 5.7.8 Error: authentication failed: "
                + "(reason unavailable)";
        assertThat(o.status().text()).isEqualTo(expected);
        assertThat(o.status().dsn()).isEqualTo("4.7.8");
        // the oracle: Postfix's smtp client, same server, same wrong password
        assertSameAsPostfix(o, "smtp_sasl_password_maps = inline:{{[127.0.0.1]:" + server.smtpPort + "=bob:wrong}}");
    }

    /** Postfix's smtp client with these settings sends one message to the same server; its to= line must match ours. */
    private static void assertSameAsPostfix(Outcome o, String... settings) throws Exception {
        List<String> cf = new java.util.ArrayList<>(List.of("smtp_sasl_auth_enable = yes", "smtp_sasl_security_options = noanonymous"));
        cf.addAll(List.of(settings));
        try (ReferencePostfix client = new ReferencePostfix("posthorn-sasl-client-", server.smtpPort, cf.toArray(String[]::new))) {
            SwaksSubmit.send(client.smtpPort, "oracle@remote.test");
            Pattern line = Pattern.compile("to=<oracle@remote\\.test>, relay=(\\S+), .*dsn=([\\d.]+), status=(\\w+) \\((.*)\\)");
            Matcher m = line.matcher("");
            for (int i = 0; i < 100 && !m.find(); i++) {
                Thread.sleep(100);
                m = line.matcher(client.log());
            }
            assertThat(m.find(0)).as(client.log()).isTrue();
            assertThat(o.status().relay()).isEqualTo(m.group(1));
            assertThat(o.status().dsn()).isEqualTo(m.group(2));
            assertThat(o.kind()).isEqualTo(m.group(3));
            assertThat(o.status().text()).isEqualTo(m.group(4));
        }
    }

    @Test
    void logsInAfterStarttlsWhereAuthNeedsTls() throws Exception {
        Path dir = dovecot.dir;
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(), "-days", "3",
                "-subj", "/CN=reference.test").redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertThat(openssl.waitFor()).isZero();
        Files.setPosixFilePermissions(dir.resolve("key.pem"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        try (ReferencePostfix tlsServer = new ReferencePostfix("posthorn-sasl-tls-", SmtpFixture.freePort(),
                "smtpd_sasl_auth_enable = yes", "smtpd_sasl_type = dovecot", "smtpd_sasl_path = " + dovecot.socket,
                "mynetworks = 192.0.2.0/24", "smtpd_relay_restrictions = permit_sasl_authenticated reject_unauth_destination",
                "smtpd_client_restrictions = check_client_access static:HOLD",
                "smtpd_tls_security_level = may", "smtpd_tls_auth_only = yes",
                "smtpd_tls_cert_file = " + dir.resolve("cert.pem"), "smtpd_tls_key_file = " + dir.resolve("key.pem"))) {
            // the instance script has no tlsmgr, without which Postfix's smtpd disables TLS
            tlsServer.addService("tlsmgr    unix  -       -       n       1000?   1       tlsmgr");
            Map<String, String> settings = new java.util.HashMap<>(Map.of("smtp_sasl_auth_enable", "yes",
                    "smtp_sasl_password_maps", "inline:{{[127.0.0.1]:" + tlsServer.smtpPort + "=bob:bobpw}}",
                    "smtp_sasl_tls_security_options", "noanonymous", "smtp_tls_security_level", "encrypt"));
            Path work = Files.createTempDirectory(tlsServer.base, "client-");
            SmtpService smtp = SmtpFixture.start(false, work, settings);
            RecordingReport r = SmtpFixture.deliver(smtp, "[127.0.0.1]:" + tlsServer.smtpPort,
                    SmtpFixture.message(work.resolve("queue"), "sender@example.org", List.of("tls@remote.test"), "Subject: tls\n\nhi\n"));
            smtp.stop();
            Outcome o = r.of("tls@remote.test");
            assertThat(o.kind()).as("%s; Postfix log: %s", o, tlsServer.log()).isEqualTo("sent");
            long end = System.nanoTime() + 10_000_000_000L;
            while (!tlsServer.log().contains("commands=8") && System.nanoTime() < end) Thread.sleep(100);
            // AUTH inside TLS: Postfix counts STARTTLS, the second EHLO and the login
            assertThat(tlsServer.log()).contains("client=localhost[127.0.0.1], sasl_method=PLAIN, sasl_username=bob")
                    .contains("ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=8");
        }
    }

    @Test
    void noUsableMechanism() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(login("bob:bobpw"));
        settings.put("smtp_sasl_mechanism_filter", "cram-md5");
        Outcome o = deliver("filtered@remote.test", settings).of("filtered@remote.test");
        assertThat(o.kind()).isEqualTo("deferred");
        assertThat(o.status().text()).isEqualTo(
                "SASL authentication failed: server 127.0.0.1[127.0.0.1] offered no compatible authentication mechanisms "
                        + "for this type of connection security");
        assertSameAsPostfix(o, "smtp_sasl_mechanism_filter = cram-md5",
                "smtp_sasl_password_maps = inline:{{[127.0.0.1]:" + server.smtpPort + "=bob:bobpw}}");
    }

    /** Hands one message to a real Postfix's smtpd with swaks. */
    static final class SwaksSubmit {
        static void send(int port, String rcpt) throws Exception {
            Process p = new ProcessBuilder("swaks", "--server", "127.0.0.1", "--port", String.valueOf(port),
                    "--from", "sender@example.org", "--to", rcpt, "--helo", "client.example").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new AssertionError("swaks: " + out);
        }
    }
}
