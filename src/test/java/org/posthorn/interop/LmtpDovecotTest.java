package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.interop.SmtpFixture.RecordingReport;
import org.posthorn.smtp.SmtpService;

/**
 * lmtp(8) into a real Dovecot LMTP server (dovecot-lmtpd) started from a minimal dovecot.conf
 * in a temp folder, over TCP and over its UNIX-domain socket; the mail must land in Maildirs.
 */
@Tag("interop")
class LmtpDovecotTest {
    @TempDir
    static Path tmp;
    static Path conf;
    static Process dovecot;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        port = SmtpFixture.freePort();
        RealPostfix.worldSearchable(tmp);
        Path mail = Files.createDirectories(tmp.resolve("mail"));
        Files.createDirectories(tmp.resolve("run"));
        Files.createDirectories(tmp.resolve("state"));
        // Dovecot delivers as the running user; root may not own mail, so root tests use "mail"
        String user = System.getProperty("user.name");
        String mailUser = user.equals("root") ? "mail" : user;
        UserPrincipalLookupService users = tmp.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(mail, users.lookupPrincipalByName(mailUser));
        conf = tmp.resolve("dovecot.conf");
        Files.writeString(conf, String.join("\n",
                "base_dir = " + tmp.resolve("run"),
                "state_dir = " + tmp.resolve("state"),
                "log_path = " + tmp.resolve("dovecot.log"),
                "protocols = lmtp",
                "ssl = no",
                "listen = 127.0.0.1",
                "first_valid_uid = 1",
                "mail_location = maildir:" + mail + "/%u",
                "userdb {", "  driver = static", "  args = uid=" + mailUser + " gid=" + mailUser + " home=" + mail + "/%u", "}",
                "passdb {", "  driver = static", "  args = nopassword=y", "}",
                "service lmtp {",
                "  inet_listener lmtp {", "    address = 127.0.0.1", "    port = " + port, "  }",
                "  unix_listener lmtp-posthorn {", "    mode = 0666", "  }",
                "}", ""));
        try {
            dovecot = new ProcessBuilder("dovecot", "-F", "-c", conf.toString()).redirectErrorStream(true).start();
            SmtpFixture.awaitListening("127.0.0.1", port, dovecot);
        } catch (Exception e) {
            String log = Files.exists(tmp.resolve("dovecot.log")) ? Files.readString(tmp.resolve("dovecot.log")) : "";
            throw new IllegalStateException("Dovecot LMTP did not start (is dovecot-lmtpd installed?): " + e.getMessage()
                    + "\n" + log, e);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (dovecot != null) {
            new ProcessBuilder("dovecot", "-c", conf.toString(), "stop").start().waitFor(10, TimeUnit.SECONDS);
            dovecot.destroy();
            dovecot.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<Path> delivered(String user) throws IOException {
        Path dir = tmp.resolve("mail").resolve(user).resolve("new");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private RecordingReport deliver(String nexthop, List<String> rcpts, String content) throws Exception {
        SmtpService lmtp = SmtpFixture.start(true, tmp, Map.of());
        RecordingReport r = SmtpFixture.deliver(lmtp, nexthop,
                SmtpFixture.message(tmp.resolve("queue"), "sender@example.org", rcpts, content));
        lmtp.stop();
        return r;
    }

    @Test
    void deliversOverTcpIntoMaildirs() throws Exception {
        String content = "Subject: lmtp over tcp\nFrom: sender@example.org\n\nhello dovecot\n.dot line\n";
        RecordingReport r = deliver("inet:127.0.0.1:" + port, List.of("alice@lmtp.test", "bob@lmtp.test"), content);
        assertThat(r.outcomes).hasSize(2).allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo("sent");
            assertThat(o.status().relay()).isEqualTo("127.0.0.1[127.0.0.1]:" + port);
            assertThat(o.status().text()).matches("250 2\\.0\\.0 <" + o.address().replace(".", "\\.") + "> \\S+ Saved");
        });
        for (String u : List.of("alice@lmtp.test", "bob@lmtp.test")) {
            List<Path> files = delivered(u);
            assertThat(files).as(u).hasSize(1);
            String mail = Files.readString(files.getFirst(), StandardCharsets.ISO_8859_1);
            assertThat(mail).contains("Subject: lmtp over tcp").contains("hello dovecot\n.dot line\n");
        }
    }

    @Test
    void deliversOverTheUnixSocket() throws Exception {
        RecordingReport r = deliver("unix:" + tmp.resolve("run").resolve("lmtp-posthorn"), List.of("carol@lmtp.test"),
                "Subject: lmtp over unix\n\nvia socket\n");
        assertThat(r.of("carol@lmtp.test").kind()).isEqualTo("sent");
        assertThat(r.of("carol@lmtp.test").status().relay()).isEqualTo("posthorn.test[" + tmp.resolve("run")
                .resolve("lmtp-posthorn") + "]");
        assertThat(delivered("carol@lmtp.test")).hasSize(1);
    }

    @Test
    void sameRelayAndStatusAsPostfixsLmtp() throws Exception {
        Path socket = tmp.resolve("run").resolve("lmtp-posthorn");
        try (ReferencePostfix postfix = new ReferencePostfix("posthorn-lmtp-", SmtpFixture.freePort(),
                "default_transport = lmtp:unix:" + socket,
                "transport_maps = inline:{tcp.lmtp.test=lmtp:inet:127.0.0.1:" + port + "}")) {
            postfix.addService("lmtp      unix  -       -       n       -       -       lmtp");
            for (String[] c : new String[][] {{"dave@lmtp.test", "unix:" + socket}, {"erin@tcp.lmtp.test", "inet:127.0.0.1:" + port}}) {
                // Postfix: our smtp client hands the message to its smtpd, its lmtp delivers into Dovecot
                SmtpService smtp = SmtpFixture.start(false, tmp, Map.of());
                assertThat(SmtpFixture.deliver(smtp, "[127.0.0.1]:" + postfix.smtpPort, SmtpFixture.message(
                        tmp.resolve("queue"), "sender@example.org", List.of(c[0]), "Subject: oracle\n\nx\n")).of(c[0]).kind())
                        .isEqualTo("sent");
                smtp.stop();
                java.util.regex.Matcher m = null;
                java.util.regex.Pattern line = java.util.regex.Pattern.compile("postfix/lmtp\\[\\d+\\]: \\w+: to=<"
                        + java.util.regex.Pattern.quote(c[0]) + ">, relay=(\\S+), .*dsn=([\\d.]+), status=(\\w+) \\((.*)\\)");
                for (int i = 0; i < 100 && (m == null || !m.find()); i++) {
                    Thread.sleep(100);
                    m = line.matcher(postfix.log());
                }
                assertThat(m.find(0)).as(postfix.log()).isTrue();
                // Posthorn's lmtp, same destination; Postfix's myhostname is reference.test, ours posthorn.test
                RecordingReport ours = deliver(c[1], List.of(c[0]), "Subject: oracle\n\nx\n");
                var o = ours.of(c[0]);
                assertThat(o.kind()).isEqualTo(m.group(3));
                assertThat(o.status().dsn()).isEqualTo(m.group(2));
                assertThat(o.status().relay()).isEqualTo(m.group(1).replace("reference.test[", "posthorn.test["));
                // the text differs only in Dovecot's message ID
                assertThat(o.status().text().replaceAll("> \\S+ Saved", "> ID Saved"))
                        .isEqualTo(m.group(4).replaceAll("> \\S+ Saved", "> ID Saved"));
            }
        }
    }

    /**
     * local(8) hands recipients to lmtp in a whole instance: mailbox_transport_maps by user
     * name (over the UNIX socket), fallback_transport for a user without an account (over
     * TCP); both land in Dovecot's Maildirs.
     */
    @Test
    void localHandsRecipientsToLmtpThroughMailboxAndFallbackTransport() throws Exception {
        Path socket = tmp.resolve("run").resolve("lmtp-posthorn");
        try (E2eInstance ours = new E2eInstance(tmp.resolve("instance"))) {
            ours.configure(List.of("mydestination = local.test",
                    "mailbox_transport_maps = inline:{frank=lmtp:unix:" + socket + "}",
                    "fallback_transport = lmtp:inet:127.0.0.1:" + port)).start();
            for (String rcpt : List.of("frank@local.test", "nosuchuser@local.test")) {
                E2eInstance.Ran r = ours.run("Subject: via local\n\nhanded on\n", E2eInstance.bin("sendmail"),
                        "-f", "sender@example.org", rcpt);
                assertThat(r.status()).as(r.err()).isZero();
            }
            String log = ours.awaitLog(20, l -> l.contains("to=<frank@local.test>") && l.contains("to=<nosuchuser@local.test>"));
            // logged under lmtp's tag, as Postfix's lmtp(8) logs what local(8) passed to it
            assertThat(log).containsPattern("postfix/lmtp\\[\\d+\\]: [0-9A-F]+: to=<frank@local.test>, relay=posthorn\\.test\\[" + java.util.regex.Pattern.quote(
                    socket.toString()) + "\\], .*status=sent \\(250 2\\.0\\.0 <frank@local.test> \\S+ Saved\\)");
            assertThat(log).containsPattern("postfix/lmtp\\[\\d+\\]: [0-9A-F]+: to=<nosuchuser@local.test>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:" + port
                    + ", .*status=sent \\(250 2\\.0\\.0 <nosuchuser@local.test> \\S+ Saved\\)");
            for (String u : List.of("frank@local.test", "nosuchuser@local.test")) {
                assertThat(delivered(u)).as(u + "\n" + log).hasSize(1);
                assertThat(Files.readString(delivered(u).getFirst())).contains("Subject: via local").contains("handed on");
            }
        }
    }
}
