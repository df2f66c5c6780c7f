package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.smtpd.Dialogue;
import org.posthorn.smtpd.RecordingCleanup;
import org.posthorn.smtpd.TestServer;

/**
 * AUTH against a real Dovecot, differentially: each scripted dialogue under
 * src/test/resources/org/posthorn/smtpd/sasl-dialogues is played against a real Postfix 3.7.11
 * whose smtpd authenticates through Dovecot (smtpd_sasl_type = dovecot) and against our smtpd
 * with the same main.cf and the same Dovecot socket. Replies and smtpd log lines (the SASL
 * failure warnings, client= lines with sasl_method/sasl_username/sasl_sender, rejects) must be
 * identical, and match the file. Without root or Postfix, only our smtpd is checked against
 * the file (the expectations were taken from Postfix).
 */
@Tag("interop")
class SaslDifferentialTest {
    /** Users in Dovecot's passwd-file: alice's hash is SHA512-CRYPT made by doveadm, bob's is {PLAIN}. */
    static final Map<String, String> PROFILES_BASE = Map.of(
            "smtpd_sasl_auth_enable", "yes",
            "smtpd_sasl_type", "dovecot",
            "smtpd_sasl_path", "@AUTH@",
            "mynetworks", "192.0.2.0/24",
            "smtpd_relay_restrictions", "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination");

    static final Map<String, Map<String, String>> PROFILES = Map.of(
            "sasl", Map.of("broken_sasl_auth_clients", "yes"),
            "sasl-maps", Map.of("smtpd_sender_login_maps",
                    "inline:{alice@example.org=alice@example.org, bob@example.org=bob, {shared@example.org=bob, alice@example.org}}",
                    "smtpd_sender_restrictions", "reject_sender_login_mismatch",
                    "smtpd_relay_restrictions", "permit_sasl_authenticated, reject_unauth_destination"),
            "sasl-known", Map.of("smtpd_sender_login_maps", "inline:{bob@example.org=bob}",
                    "smtpd_sender_restrictions", "reject_known_sender_login_mismatch"),
            "sasl-authonly", Map.of("smtpd_sender_login_maps", "inline:{bob@example.org=bob}",
                    "smtpd_sender_restrictions", "reject_authenticated_sender_login_mismatch"),
            "sasl-tls-only", Map.of("smtpd_tls_auth_only", "yes"),
            "sasl-discard", Map.of("smtpd_discard_ehlo_keywords", "auth"),
            "sasl-exceptions", Map.of("smtpd_sasl_exceptions_networks", "127.0.0.0/8"),
            "sasl-tls-may", Map.of("smtpd_tls_auth_only", "yes", "smtpd_tls_security_level", "may",
                    "smtpd_tls_cert_file", "@DIR@/cert.pem", "smtpd_tls_key_file", "@DIR@/key.pem"));

    private static final Map<String, Integer> ORACLE_PORTS = new ConcurrentHashMap<>();
    private static final Map<String, Path> ORACLE_DIRS = new ConcurrentHashMap<>();
    private static final List<TestServer> SERVERS = new ArrayList<>();
    private static DovecotAuth dovecot;
    private static Path base;
    @TempDir
    static Path spool;

    static Map<String, String> mainCf(String profile, Path socket) {
        Map<String, String> m = new LinkedHashMap<>(Dialogue.mainCf("default"));
        m.putAll(PROFILES_BASE);
        m.putAll(PROFILES.get(profile));
        m.replaceAll((k, v) -> v.replace("@AUTH@", socket.toString()).replace("@DIR@", dovecot.dir.toString()));
        return m;
    }

    @BeforeAll
    static void start() throws Exception {
        dovecot = new DovecotAuth(Map.of("alice@example.org",
                "{SHA512-CRYPT}$6$xhpF0Oz7gR.Pg/Fk$fPBeOGRPkQSk9naUfSeJJ.ydnyGSX7qy9Nza7hIJA2KMYCVq9ck4gWYSVR2GV0cfk3NSJlDbsYqVm2qefGho50",
                "bob", "{PLAIN}bobpw"));
        // a certificate for the STARTTLS profile, readable by Postfix's smtpd
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", dovecot.dir.resolve("key.pem").toString(), "-out", dovecot.dir.resolve("cert.pem").toString(),
                "-days", "3", "-subj", "/CN=reference.test").redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        openssl.waitFor();
        Files.setPosixFilePermissions(dovecot.dir.resolve("key.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        Path script = Path.of("/work/shared/bench/postfix-instance.sh");
        Path local = Path.of(System.getProperty("posthorn.home", ".")).resolve("../shared/bench/postfix-instance.sh").normalize();
        if (Files.exists(local)) script = local;
        if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(Path.of("/usr/sbin/postfix"))
                || !Files.exists(script)) {
            System.err.println("SaslDifferentialTest: no Postfix oracle (needs root, postfix and " + script + ")");
            return;
        }
        base = Files.createTempDirectory(Path.of("/tmp"), "sasl-oracle");
        RealPostfix.worldSearchable(base);
        List<Thread> starts = new ArrayList<>();
        for (String profile : PROFILES.keySet()) {
            Path s = script;
            starts.add(Thread.ofPlatform().start(() -> startOracle(s, profile)));
        }
        for (Thread t : starts) t.join();
    }

    private static void startOracle(Path script, String profile) {
        try {
            int port = SmtpFixture.freePort();
            Path dir = base.resolve(profile);
            List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), dir.toString(), String.valueOf(port),
                    String.valueOf(SmtpFixture.freePort()), "start"));
            mainCf(profile, dovecot.socket).forEach((k, v) -> cmd.add(k + " = " + v));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                System.err.println("oracle " + profile + " did not start: " + out);
                return;
            }
            ORACLE_DIRS.put(profile, dir);
            SmtpFixture.awaitListening("127.0.0.1", port, null);
            // the probe's own session must be in the log before a dialogue's window opens
            Path maillog = dir.resolve("maillog");
            for (int i = 0; i < 100 && !SmtpdDifferentialTest.lines(maillog).stream()
                    .anyMatch(l -> l.contains("disconnect from")); i++) {
                Thread.sleep(50);
            }
            ORACLE_PORTS.put(profile, port);
        } catch (Exception e) {
            System.err.println("oracle " + profile + ": " + e);
        }
    }

    static List<Dialogue> dialogues() throws IOException, URISyntaxException {
        Path dir = Path.of(SaslDifferentialTest.class.getResource("/org/posthorn/smtpd/sasl-dialogues").toURI());
        List<Dialogue> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) out.add(Dialogue.load(f));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> sameRepliesAndLogLinesAsPostfix() throws Exception {
        return dialogues().stream().map(d -> DynamicTest.dynamicTest(d.name(), () -> {
            TestServer server = new TestServer(mainCf(d.profile(), dovecot.socket), new RecordingCleanup(spool, false));
            SERVERS.add(server);
            List<List<String>> ours = d.play("127.0.0.1", server.port());
            assertThat(ours).as(() -> "Posthorn vs the file: " + d.firstDifference(d.expected(), ours)).isEqualTo(d.expected());
            Integer port = ORACLE_PORTS.get(d.profile());
            assumeTrue(port != null, "no Postfix oracle for " + d.profile());
            Path maillog = ORACLE_DIRS.get(d.profile()).resolve("maillog");
            int mark = SmtpdDifferentialTest.lines(maillog).size();
            List<List<String>> first = d.play("127.0.0.1", port);
            if (!first.equals(d.expected())) {
                // a loaded machine: Postfix's smtpd may have started before Dovecot answered (it then
                // offers no AUTH); one more session with a fresh process settles it
                Thread.sleep(1000);
                mark = SmtpdDifferentialTest.lines(maillog).size();
                first = d.play("127.0.0.1", port);
            }
            List<List<String>> postfix = first;
            int logMark = mark;
            assertThat(postfix).as(() -> "Postfix vs the file: " + d.firstDifference(d.expected(), postfix))
                    .isEqualTo(d.expected());
            List<String> postfixLog = SmtpdDifferentialTest.sessionLog(() -> {
                List<String> all = SmtpdDifferentialTest.lines(maillog);
                return SmtpdDifferentialTest.smtpdLines(all.subList(Math.min(logMark, all.size()), all.size()));
            });
            List<String> ourLog = SmtpdDifferentialTest.sessionLog(() -> SmtpdDifferentialTest.normalise(server.lines()));
            assertThat(ourLog).as(d.name() + ": smtpd log lines").isEqualTo(postfixLog);
        }));
    }

    @AfterAll
    static void stop() throws Exception {
        for (TestServer s : SERVERS) s.close();
        if (base != null) {
            for (Path dir : ORACLE_DIRS.values()) {
                Process stop = new ProcessBuilder("postfix", "-c", dir.resolve("etc").toString(), "stop").inheritIO().start();
                if (!stop.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) stop.destroy();
            }
            new ProcessBuilder("rm", "-rf", base.toString()).start().waitFor();
        }
        if (dovecot != null) dovecot.close();
    }
}
