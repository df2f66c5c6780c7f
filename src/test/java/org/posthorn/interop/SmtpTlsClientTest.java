package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.posthorn.interop.SmtpFixture.Outcome;
import org.posthorn.interop.SmtpFixture.RecordingReport;
import org.posthorn.qmgr.DeliveryRequest;
import org.posthorn.smtp.SmtpService;

/**
 * Our smtp client delivering over TLS into a real Debian Postfix whose smtpd has a
 * certificate from a test CA made here with openssl: levels may, encrypt, verify,
 * fingerprint, smtp_tls_policy_maps per destination, and the failures, with the log lines
 * and status texts Postfix's own smtp client gives in the same situations (observed with
 * Postfix 3.7.11 at smtp_tls_loglevel = 1).
 */
@Tag("interop")
class SmtpTlsClientTest {
    static ReferencePostfix postfix;
    static TestCa ca;
    static TestCa.Issued server;
    static String dest;
    static String relay;

    @BeforeAll
    static void startPostfix() throws Exception {
        Path base = Files.createTempDirectory(Path.of("/tmp"), "posthorn-tlsca-");
        ca = new TestCa(base);
        server = ca.issue("server", "mx.tls.test", "DNS:mx.tls.test");
        postfix = new ReferencePostfix("posthorn-smtp-tls-", SmtpFixture.freePort(),
                "smtpd_client_restrictions = check_client_access static:HOLD",
                "smtpd_tls_security_level = may",
                "smtpd_tls_cert_file = " + server.chain(),
                "smtpd_tls_key_file = " + server.key(),
                "smtpd_tls_loglevel = 1");
        postfix.addService("tlsmgr unix - - n 1000? 1 tlsmgr");
        dest = "[127.0.0.1]:" + postfix.smtpPort;
        relay = "127.0.0.1[127.0.0.1]:" + postfix.smtpPort;
    }

    @AfterAll
    static void stopPostfix() throws Exception {
        if (postfix != null) postfix.close();
        if (ca != null) {
            try (var walk = Files.walk(ca.dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Delivers one message with these smtp_* settings; age: how long the message has been queued. */
    static Outcome send(String rcpt, Map<String, String> settings, Duration age) throws Exception {
        Path work = Files.createTempDirectory(postfix.base, "client-");
        Map<String, String> all = new HashMap<>(settings);
        all.putIfAbsent("smtp_tls_loglevel", "1");
        SmtpService smtp = SmtpFixture.start(false, work, all);
        try {
            SmtpFixture.Message m = SmtpFixture.message(work.resolve("queue"), "sender@example.org", List.of(rcpt),
                    "Subject: tls\n\nbody of " + rcpt + "\n");
            RecordingReport report = new RecordingReport();
            Instant now = Instant.now();
            smtp.deliver(new DeliveryRequest("smtp", dest, m.queueId(), m.file(), now.minus(age), now,
                    "sender@example.org", 100, null, null, Map.of(), m.recipients(), report));
            return report.of(rcpt);
        } finally {
            smtp.stop();
        }
    }

    static Outcome send(String rcpt, Map<String, String> settings) throws Exception {
        return send(rcpt, settings, Duration.ZERO);
    }

    /**
     * One service with these settings delivers one message per (nexthop, recipient) pair, in
     * order, and is stopped; each must be sent.
     */
    static void sendAll(Map<String, String> settings, String... nexthopAndRecipient) throws Exception {
        Path work = Files.createTempDirectory(postfix.base, "client-");
        SmtpService smtp = SmtpFixture.start(false, work, settings);
        try {
            for (int i = 0; i < nexthopAndRecipient.length; i += 2) {
                String rcpt = nexthopAndRecipient[i + 1];
                RecordingReport r = SmtpFixture.deliver(smtp, nexthopAndRecipient[i], SmtpFixture.message(
                        work.resolve("queue"), "sender@example.org", List.of(rcpt), "Subject: " + rcpt + "\n\nhi\n"));
                assertThat(r.of(rcpt).kind()).as("%s", r.outcomes).isEqualTo("sent");
            }
        } finally {
            smtp.stop();
        }
    }

    /** A second smtpd of the real Postfix on a new port, with these -o options; returns the port. */
    static int extraSmtpd(String options) throws Exception {
        int port = SmtpFixture.freePort();
        postfix.addService("127.0.0.1:" + port + " inet n - n - - smtpd " + options);
        SmtpFixture.awaitListening("127.0.0.1", port, null);
        return port;
    }

    /** Our log lines that name this test's server. */
    static List<String> ourLog() {
        return SmtpFixture.log().stream().filter(l -> l.contains(relay)).toList();
    }

    static final String ESTABLISHED = " TLS connection established to ";

    @Test
    void mayWithCaFileIsTrusted() throws Exception {
        Outcome o = send("may-trusted@remote.test", Map.of("smtp_tls_security_level", "may",
                "smtp_tls_CAfile", ca.caCert.toString()));
        assertThat(o.kind()).as("%s", o).isEqualTo("sent");
        assertThat(ourLog()).anyMatch(l -> l.matches("Trusted TLS connection established to \\Q" + relay
                + "\\E: TLSv1\\.3 with cipher TLS_AES_(256_GCM_SHA384 \\(256/256|128_GCM_SHA256 \\(128/128) bits\\)"
                + " key-exchange X25519 server-signature RSA-PSS \\(2048 bits\\) server-digest SHA256"));
        // the real smtpd saw TLS
        assertThat(postfix.log()).contains("Anonymous TLS connection established from localhost[127.0.0.1]");
    }

    @Test
    void mayWithoutCaIsUntrustedAndEncryptDelivers() throws Exception {
        Outcome o = send("may-untrusted@remote.test", Map.of("smtp_tls_security_level", "may"));
        assertThat(o.kind()).as("%s", o).isEqualTo("sent");
        Outcome e = send("encrypt@remote.test", Map.of("smtp_tls_security_level", "encrypt"));
        assertThat(e.kind()).as("%s", e).isEqualTo("sent");
        assertThat(ourLog()).anyMatch(l -> l.startsWith("Untrusted" + ESTABLISHED + relay + ": TLSv1.3 with cipher "));
    }

    @Test
    void noLogLineAtLogLevelZero() throws Exception {
        int before = ourLog().size();
        Outcome o = send("quiet@remote.test", Map.of("smtp_use_tls", "yes", "smtp_tls_loglevel", "0"));
        assertThat(o.kind()).as("%s", o).isEqualTo("sent");
        assertThat(ourLog().subList(before, ourLog().size())).noneMatch(l -> l.contains(ESTABLISHED));
    }

    @Test
    void verifyDefersWhenTheNameDoesNotMatch() throws Exception {
        // nexthop [127.0.0.1]: the "hostname" strategy compares the IP address, which the certificate lacks
        Outcome o = send("verify-mismatch@remote.test", Map.of("smtp_tls_security_level", "verify",
                "smtp_tls_CAfile", ca.caCert.toString()));
        assertThat(o.kind()).isEqualTo("deferred");
        assertThat(o.status().dsn()).isEqualTo("4.7.5");
        assertThat(o.status().text()).isEqualTo("Server certificate not verified");
        assertThat(ourLog()).contains("server certificate verification failed for " + relay + ": num=64:IP address mismatch");
    }

    @Test
    void verifyWithoutTheCaDefers() throws Exception {
        Outcome o = send("verify-untrusted@remote.test", Map.of("smtp_tls_security_level", "verify",
                "smtp_tls_verify_cert_match", "mx.tls.test"));
        assertThat(o.kind()).isEqualTo("deferred");
        assertThat(o.status().text()).isEqualTo("Server certificate not verified");
        assertThat(ourLog()).contains("certificate verification failed for " + relay + ": untrusted issuer /CN=Posthorn Test CA");
    }

    @Test
    void verifyWithCaPathAndALiteralName() throws Exception {
        Path caPath = Files.createTempDirectory(postfix.base, "capath-");
        Files.copy(ca.caCert, caPath.resolve("test-ca.pem"));
        Files.writeString(caPath.resolve("README"), "not a certificate\n");
        Outcome o = send("verify-capath@remote.test", Map.of("smtp_tls_security_level", "verify",
                "smtp_tls_CApath", caPath.toString(), "smtp_tls_verify_cert_match", "hostname, mx.tls.test"));
        assertThat(o.kind()).as("%s", o).isEqualTo("sent");
        assertThat(ourLog()).anyMatch(l -> l.startsWith("Verified" + ESTABLISHED + relay + ": "));
    }

    @Test
    void starttlsOfferNotedAtLevelNone() throws Exception {
        Outcome o = send("note@remote.test", Map.of("smtp_tls_note_starttls_offer", "yes"));
        assertThat(o.kind()).as("%s", o).isEqualTo("sent");
        assertThat(SmtpFixture.log()).contains("Host offered STARTTLS: [127.0.0.1]");
    }

    @Test
    void policyMapOverridesPerDestination() throws Exception {
        Path map = Files.createTempDirectory(postfix.base, "policy-").resolve("tls_policy");
        // this destination: verify against a literal name; every other one stays at "none"
        Files.writeString(map, dest + " verify match=nomatch.example:mx.tls.test\n"
                + "[127.0.0.2]:25 encrypt\n");
        Outcome o = send("policy-verify@remote.test", Map.of("smtp_tls_security_level", "none",
                "smtp_tls_CAfile", ca.caCert.toString(), "smtp_tls_policy_maps", "texthash:" + map));
        assertThat(o.kind()).as("%s", o).isEqualTo("sent");
        assertThat(ourLog()).anyMatch(l -> l.startsWith("Verified" + ESTABLISHED + relay + ": "));
        // and an entry for this destination that forbids TLS beats a global "encrypt"
        Path none = map.resolveSibling("tls_policy_none"); // a new file: tables are cached by name
        Files.writeString(none, dest + " none\n");
        Outcome plain = send("policy-none@remote.test", Map.of("smtp_tls_security_level", "encrypt",
                "smtp_tls_policy_maps", "texthash:" + none));
        assertThat(plain.kind()).as("%s", plain).isEqualTo("sent");
    }

    @Test
    void badPolicyEntryDefersWithConfigurationProblem() throws Exception {
        Path map = Files.createTempDirectory(postfix.base, "policy-").resolve("tls_policy");
        Files.writeString(map, dest + " encrypt match=x\n");
        Outcome o = send("policy-bad@remote.test", Map.of("smtp_tls_policy_maps", "texthash:" + map));
        assertThat(o.kind()).isEqualTo("deferred");
        assertThat(o.status().dsn()).isEqualTo("4.7.5");
        assertThat(o.status().text()).isEqualTo("client TLS configuration problem");
    }

    @Test
    void fingerprintLevel() throws Exception {
        Outcome o = send("fp@remote.test", Map.of("smtp_tls_security_level", "fingerprint",
                "smtp_tls_fingerprint_cert_match", server.fingerprint("sha256")));
        assertThat(o.kind()).as("%s", o).isEqualTo("sent");
        assertThat(ourLog()).anyMatch(l -> l.startsWith("Verified" + ESTABLISHED + relay + ": "));
        // md5 as the digest, given in a policy map's match= list
        Path map = Files.createTempDirectory(postfix.base, "policy-").resolve("tls_policy");
        Files.writeString(map, dest + " fingerprint match=00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF|"
                + server.fingerprint("md5") + "\n");
        Outcome md5 = send("fp-md5@remote.test", Map.of("smtp_tls_fingerprint_digest", "md5",
                "smtp_tls_policy_maps", "texthash:" + map));
        assertThat(md5.kind()).as("%s", md5).isEqualTo("sent");
        String wrong = "00:".repeat(31) + "00";
        Outcome bad = send("fp-wrong@remote.test", Map.of("smtp_tls_security_level", "fingerprint",
                "smtp_tls_fingerprint_cert_match", wrong));
        assertThat(bad.kind()).isEqualTo("deferred");
        assertThat(bad.status().text()).isEqualTo("Server certificate not verified");
        assertThat(ourLog()).contains("server certificate verification failed for " + relay
                + ": num=1:unspecified certificate verification error");
    }

    @Test
    void encryptWithoutStarttlsOffered() throws Exception {
        Outcome o = send("nostarttls@remote.test", Map.of("smtp_tls_security_level", "encrypt",
                "smtp_discard_ehlo_keywords", "starttls"));
        assertThat(o.kind()).isEqualTo("deferred");
        assertThat(o.status().dsn()).isEqualTo("4.7.4");
        assertThat(o.status().text()).isEqualTo("TLS is required, but was not offered by host 127.0.0.1[127.0.0.1]");
    }

    @Test
    void failedHandshakeAtMayDefersAYoungMessageAndSendsAnOldOneInPlaintext() throws Exception {
        // a protocol JSSE will not speak: the handshake fails on our side
        Map<String, String> settings = Map.of("smtp_tls_security_level", "may", "smtp_tls_protocols", "TLSv1.1");
        Outcome young = send("handshake-young@remote.test", settings);
        assertThat(young.kind()).isEqualTo("deferred");
        assertThat(young.status().dsn()).isEqualTo("4.7.5");
        assertThat(young.status().text()).isEqualTo("Cannot start TLS: handshake failure");
        // queued longer than minimal_backoff_time: Postfix tries again without STARTTLS
        Outcome old = send("handshake-old@remote.test", settings, Duration.ofMinutes(10));
        assertThat(old.kind()).as("%s", old).isEqualTo("sent");
        assertThat(SmtpFixture.log()).anyMatch(l -> l.endsWith(": Cannot start TLS: handshake failure"));
        // at encrypt the same failure defers whatever the message's age
        Outcome mandatory = send("handshake-encrypt@remote.test", Map.of("smtp_tls_security_level", "encrypt",
                "smtp_tls_mandatory_protocols", "TLSv1.1"), Duration.ofMinutes(10));
        assertThat(mandatory.kind()).isEqualTo("deferred");
        assertThat(mandatory.status().text()).isEqualTo("Cannot start TLS: handshake failure");
    }

    @Test
    void sameLogLineAsPostfixsOwnSmtpClient() throws Exception {
        // the oracle: Debian's smtp client with the same TLS settings, relaying to the same smtpd
        Map<String, String> settings = Map.of("smtp_tls_security_level", "verify", "smtp_tls_CAfile", ca.caCert.toString(),
                "smtp_tls_verify_cert_match", "mx.tls.test", "smtp_tls_loglevel", "1");
        List<String> lines = new java.util.ArrayList<>();
        settings.forEach((k, v) -> lines.add(k + " = " + v));
        try (ReferencePostfix client = new ReferencePostfix("posthorn-smtp-tls-oracle-", postfix.smtpPort,
                lines.toArray(new String[0]))) {
            client.addService("tlsmgr unix - - n 1000? 1 tlsmgr");
            Process p = new ProcessBuilder("sendmail", "-C", client.base.resolve("etc").toString(), "-f", "sender@example.org",
                    "oracle@remote.test").redirectErrorStream(true).start();
            p.getOutputStream().write("Subject: oracle\n\nhi\n".getBytes());
            p.getOutputStream().close();
            p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            long end = System.nanoTime() + 20_000_000_000L;
            while (!client.log().contains("status=sent") && System.nanoTime() < end) Thread.sleep(100);
            String theirs = client.log().lines().filter(l -> l.contains(ESTABLISHED)).findFirst().orElseThrow(
                    () -> new AssertionError("no TLS line from Postfix: " + safeLog(client)));
            Outcome o = send("oracle-ours@remote.test", settings);
            assertThat(o.kind()).as("%s", o).isEqualTo("sent");
            String ours = ourLog().reversed().stream().filter(l -> l.contains(ESTABLISHED)).findFirst().orElseThrow();
            assertThat(ours).isEqualTo(theirs.substring(theirs.indexOf("]: ") + 3));
        }
    }

    private static String safeLog(ReferencePostfix p) {
        try {
            return p.log();
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void clientCertificateIsPresentedWhenAsked() throws Exception {
        TestCa.Issued client = ca.issue("client", "client.posthorn.test");
        int askPort = extraSmtpd("-o smtpd_tls_ask_ccert=yes -o smtpd_tls_CAfile=" + ca.caCert);
        sendAll(Map.of("smtp_tls_security_level", "encrypt", "smtp_tls_cert_file", client.cert().toString(),
                "smtp_tls_key_file", client.key().toString()), "[127.0.0.1]:" + askPort, "ccert@remote.test");
        // the real smtpd verified our client certificate against the test CA
        assertThat(postfix.log()).contains("Trusted TLS connection established from localhost[127.0.0.1]");
    }

    @Test
    void sessionsAreResumedWithTheSessionCache() throws Exception {
        String resume = "[127.0.0.1]:" + extraSmtpd("-o smtpd_tls_loglevel=2 -o syslog_name=postfix-resume");
        sendAll(Map.of("smtp_tls_security_level", "encrypt", "smtp_tls_loglevel", "1",
                "smtp_tls_session_cache_database", "btree:${data_directory}/smtp_scache",
                "smtp_connection_cache_on_demand", "no"), resume, "resume1@remote.test", resume, "resume2@remote.test");
        // as Postfix's client logs it (observed): a resumed session has no server-digest
        List<String> ours = SmtpFixture.log().stream().filter(l -> l.contains(ESTABLISHED + "127.0.0.1[127.0.0.1]:"
                + resume.substring(resume.indexOf(':') + 1) + ":")).toList();
        assertThat(ours).hasSize(2);
        assertThat(ours.get(0)).endsWith("server-signature RSA-PSS (2048 bits) server-digest SHA256");
        assertThat(ours.get(1)).endsWith("server-signature RSA-PSS (2048 bits)");
        Thread.sleep(500);
        String log = postfix.log().lines().filter(l -> l.contains("postfix-resume/")).collect(java.util.stream.Collectors.joining("\n"));
        // the first handshake was full, the second resumed the session (a TLS 1.3 ticket)
        assertThat(log.split("Reusing old session", -1)).as(log).hasSize(2);
    }

    @Test
    void wrapperModeSpeaksTlsFromTheStart() throws Exception {
        int smtpsPort = extraSmtpd("-o smtpd_tls_wrappermode=yes -o syslog_name=postfix-smtps");
        sendAll(Map.of("smtp_tls_security_level", "encrypt", "smtp_tls_wrappermode", "yes", "smtp_tls_loglevel", "1"),
                "[127.0.0.1]:" + smtpsPort, "smtps@remote.test");
        assertThat(SmtpFixture.log()).anyMatch(l -> l.startsWith("Untrusted TLS connection established to 127.0.0.1[127.0.0.1]:"
                + smtpsPort + ": "));
        // no STARTTLS inside the wrapper
        long end = System.nanoTime() + 5_000_000_000L;
        while (!postfix.log().contains("ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5") && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertThat(postfix.log().lines().filter(l -> l.contains("postfix-smtps/") && l.contains("disconnect from localhost")))
                .anyMatch(l -> l.contains("ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"));
    }

    @Test
    void cachedPlaintextConnectionIsNotReusedUnderAnotherPolicy() throws Exception {
        Path map = Files.createTempDirectory(postfix.base, "policy-").resolve("tls_policy_cache");
        String byName = "[localhost]:" + postfix.smtpPort;
        Files.writeString(map, dest + " none\n" + byName + " encrypt\n");
        sendAll(Map.of("smtp_tls_policy_maps", "texthash:" + map, "smtp_tls_loglevel", "1", "disable_dns_lookups", "yes",
                "inet_protocols", "ipv4", "smtp_connection_cache_time_limit", "30s"),
                dest, "cache-plain@remote.test", byName, "cache-tls@remote.test");
        // the same server address, but the second destination wants TLS: a new connection with STARTTLS
        assertThat(SmtpFixture.log()).anyMatch(l -> l.startsWith("Untrusted TLS connection established to localhost[127.0.0.1]:"
                + postfix.smtpPort + ": "));
    }
}
