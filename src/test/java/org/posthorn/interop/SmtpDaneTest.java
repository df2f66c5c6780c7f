package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.posthorn.dns.DnsResolver;
import org.posthorn.interop.SmtpFixture.Outcome;
import org.posthorn.interop.SmtpFixture.RecordingReport;
import org.posthorn.smtp.SmtpService;

/**
 * DANE (smtp_tls_security_level = dane / dane-only) against real DNSSEC: the zone dane.test
 * is signed with ldns-signzone and served by nsd; unbound validates it against the zone's
 * key as trust anchor and sets the AD bit; plain.test is served unsigned (insecure). Every
 * MX host is the real Postfix smtpd on 127.0.0.1, whose certificate comes from a test CA.
 */
@Tag("interop")
class SmtpDaneTest {
    static Path dir;
    static Process nsd;
    static Process unbound;
    static ReferencePostfix postfix;
    static TestCa ca;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "posthorn-dane-");
        ca = new TestCa(dir.resolve("ca"));
        TestCa.Issued server = ca.issue("server", "mx.dane.test", "DNS:mx.dane.test", "DNS:mxta.dane.test",
                "DNS:mxbad.dane.test", "DNS:mxnone.dane.test");
        postfix = new ReferencePostfix("posthorn-smtp-dane-", SmtpFixture.freePort(),
                "smtpd_client_restrictions = check_client_access static:HOLD",
                "smtpd_tls_security_level = may",
                "smtpd_tls_cert_file = " + server.chain(),
                "smtpd_tls_key_file = " + server.key());
        postfix.addService("tlsmgr unix - - n 1000? 1 tlsmgr");
        port = postfix.smtpPort;
        String tcp = "._tcp.";
        String secure = String.join("\n",
                "$ORIGIN dane.test.", "$TTL 300",
                "@ IN SOA ns.dane.test. hostmaster.dane.test. 1 3600 600 86400 300",
                "@ IN NS ns.dane.test.", "ns IN A 127.0.0.1",
                // DANE-EE: the server's public key
                "ee IN MX 10 mx.dane.test.", "mx IN A 127.0.0.1",
                "_" + port + tcp + "mx IN TLSA 3 1 1 " + server.spkiSha256(),
                // DANE-TA: the CA, which the server sends in its chain
                "ta IN MX 10 mxta.dane.test.", "mxta IN A 127.0.0.1",
                "_" + port + tcp + "mxta IN TLSA 2 0 1 " + ca.caSha256(),
                // a record that matches nothing
                "bad IN MX 10 mxbad.dane.test.", "mxbad IN A 127.0.0.1",
                "_" + port + tcp + "mxbad IN TLSA 3 1 1 " + "ab".repeat(32),
                // PKIX-EE only: unusable for SMTP (RFC 7672 3.1.3)
                "unusable IN MX 10 mxunusable.dane.test.", "mxunusable IN A 127.0.0.1",
                "_" + port + tcp + "mxunusable IN TLSA 1 1 1 " + server.spkiSha256(),
                // no TLSA at all
                "none IN MX 10 mxnone.dane.test.", "mxnone IN A 127.0.0.1", "");
        String insecure = String.join("\n",
                "$ORIGIN plain.test.", "$TTL 300",
                "@ IN SOA ns.plain.test. hostmaster.plain.test. 1 3600 600 86400 300",
                "@ IN NS ns.plain.test.", "ns IN A 127.0.0.1",
                "@ IN MX 10 mx.plain.test.", "mx IN A 127.0.0.1",
                // an unsigned domain hosted on a DANE-protected MX
                "mixed IN MX 10 mx.dane.test.",
                "_" + port + tcp + "mx IN TLSA 3 1 1 " + server.spkiSha256(), "");
        Files.writeString(dir.resolve("dane.test.zone"), secure);
        Files.writeString(dir.resolve("plain.test.zone"), insecure);
        String key = run("ldns-keygen", "-a", "ECDSAP256SHA256", "-k", "dane.test").strip();
        run("ldns-signzone", "-o", "dane.test.", "dane.test.zone", key);

        int nsdPort = SmtpFixture.freePort();
        int unboundPort = SmtpFixture.freePort();
        Files.writeString(dir.resolve("nsd.conf"), String.join("\n",
                "server:", "  ip-address: 127.0.0.1", "  port: " + nsdPort, "  username: \"\"", "  chroot: \"\"",
                "  zonesdir: \"" + dir + "\"", "  database: \"\"", "  zonelistfile: \"" + dir.resolve("zone.list") + "\"",
                "  pidfile: \"" + dir.resolve("nsd.pid") + "\"", "  xfrdfile: \"" + dir.resolve("xfrd.state") + "\"",
                "  logfile: \"" + dir.resolve("nsd.log") + "\"", "  server-count: 1",
                "remote-control:", "  control-enable: no",
                "zone:", "  name: dane.test", "  zonefile: dane.test.zone.signed",
                "zone:", "  name: plain.test", "  zonefile: plain.test.zone", ""));
        Files.writeString(dir.resolve("unbound.conf"), String.join("\n",
                "server:", "  interface: 127.0.0.1", "  port: " + unboundPort, "  username: \"\"", "  chroot: \"\"",
                "  directory: \"" + dir + "\"", "  pidfile: \"" + dir.resolve("unbound.pid") + "\"",
                "  logfile: \"" + dir.resolve("unbound.log") + "\"", "  use-syslog: no", "  do-ip6: no",
                "  do-not-query-localhost: no", "  num-threads: 1",
                "  trust-anchor-file: \"" + dir.resolve(key + ".key") + "\"",
                "  module-config: \"validator iterator\"",
                // unbound answers for test. itself (RFC 6761) unless told not to
                "  local-zone: \"test.\" nodefault",
                "remote-control:", "  control-enable: no",
                "stub-zone:", "  name: \"dane.test\"", "  stub-addr: 127.0.0.1@" + nsdPort,
                "stub-zone:", "  name: \"plain.test\"", "  stub-addr: 127.0.0.1@" + nsdPort, ""));
        nsd = new ProcessBuilder("nsd", "-d", "-c", dir.resolve("nsd.conf").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nsd.out").toFile()).start();
        unbound = new ProcessBuilder("unbound", "-d", "-c", dir.resolve("unbound.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("unbound.out").toFile()).start();
        awaitUdp(nsdPort, nsd);
        awaitUdp(unboundPort, unbound);
        System.setProperty(DnsResolver.SERVERS_PROPERTY, "127.0.0.1:" + unboundPort);
        System.setProperty(DnsResolver.TIMEOUT_PROPERTY, "2");
    }

    /** Waits until a name server answers on a loopback UDP port. */
    private static void awaitUdp(int udpPort, Process p) throws Exception {
        DnsResolver r = DnsResolver.of(List.of(new java.net.InetSocketAddress("127.0.0.1", udpPort)), java.time.Duration.ofMillis(300));
        for (int i = 0; i < 50; i++) {
            if (!p.isAlive()) throw new IllegalStateException("name server exited: " + Files.readString(dir.resolve(
                    p == nsd ? "nsd.out" : "unbound.out")));
            try {
                r.query("ns.dane.test", org.xbill.DNS.Type.A);
                return;
            } catch (org.posthorn.dns.DnsException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("no name server on port " + udpPort);
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(List.of(cmd) + ": " + out);
        return out;
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty(DnsResolver.SERVERS_PROPERTY);
        System.clearProperty(DnsResolver.TIMEOUT_PROPERTY);
        for (Process p : new Process[] {unbound, nsd}) {
            if (p != null) {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (postfix != null) postfix.close();
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Outcome send(String domain, String level) throws Exception {
        Path work = Files.createTempDirectory(postfix.base, "client-");
        Map<String, String> settings = new HashMap<>(Map.of("smtp_tls_security_level", level,
                "smtp_dns_support_level", "dnssec", "smtp_tls_loglevel", "1", "inet_protocols", "ipv4"));
        SmtpService smtp = SmtpFixture.start(false, work, settings);
        try {
            String rcpt = level + "@" + domain;
            RecordingReport r = SmtpFixture.deliver(smtp, domain + ":" + port,
                    SmtpFixture.message(work.resolve("queue"), "sender@example.org", List.of(rcpt), "Subject: dane\n\nhi\n"));
            return r.of(rcpt);
        } finally {
            smtp.stop();
        }
    }

    static boolean logged(String line) {
        return SmtpFixture.log().contains(line);
    }

    @Test
    void daneEeMatchIsVerified() throws Exception {
        Outcome o = send("ee.dane.test", "dane");
        assertThat(o.kind()).as("%s", o).isEqualTo("sent");
        assertThat(o.status().relay()).isEqualTo("mx.dane.test[127.0.0.1]:" + port);
        assertThat(SmtpFixture.log()).anyMatch(l -> l.startsWith(
                "Verified TLS connection established to mx.dane.test[127.0.0.1]:" + port + ": TLSv1.3 with cipher "));
        assertThat(send("ee.dane.test", "dane-only").kind()).isEqualTo("sent");
    }

    @Test
    void daneTaMatchChecksTheChainAndTheName() throws Exception {
        Outcome o = send("ta.dane.test", "dane-only");
        assertThat(o.kind()).as("%s", o).isEqualTo("sent");
        assertThat(SmtpFixture.log()).anyMatch(l -> l.startsWith(
                "Verified TLS connection established to mxta.dane.test[127.0.0.1]:" + port + ": "));
    }

    @Test
    void mismatchDefers() throws Exception {
        Outcome o = send("bad.dane.test", "dane");
        assertThat(o.kind()).isEqualTo("deferred");
        assertThat(o.status().dsn()).isEqualTo("4.7.5");
        assertThat(o.status().text()).isEqualTo("Server certificate not verified");
        assertThat(logged("server certificate verification failed for mxbad.dane.test[127.0.0.1]:" + port
                + ": num=1:unspecified certificate verification error")).isTrue();
    }

    @Test
    void noTlsaFallsBackToMayOrDefersAtDaneOnly() throws Exception {
        Outcome may = send("none.dane.test", "dane");
        assertThat(may.kind()).as("%s", may).isEqualTo("sent");
        assertThat(SmtpFixture.log()).anyMatch(l -> l.startsWith(
                "Untrusted TLS connection established to mxnone.dane.test[127.0.0.1]:" + port + ": "));
        Outcome only = send("none.dane.test", "dane-only");
        assertThat(only.kind()).isEqualTo("deferred");
        assertThat(only.status().dsn()).isEqualTo("4.7.5");
        assertThat(only.status().text()).isEqualTo("no TLSA records found");
    }

    @Test
    void unusableTlsaMeansEncrypt() throws Exception {
        Outcome o = send("unusable.dane.test", "dane");
        assertThat(o.kind()).as("%s", o).isEqualTo("sent");
        assertThat(send("unusable.dane.test", "dane-only").status().text()).isEqualTo("TLSA records unusable");
    }

    @Test
    void insecureMxIsNoDaneDestination() throws Exception {
        // plain.test publishes a matching TLSA record, but nothing is signed: DANE does not apply
        Outcome may = send("plain.test", "dane");
        assertThat(may.kind()).as("%s", may).isEqualTo("sent");
        assertThat(SmtpFixture.log()).anyMatch(l -> l.startsWith(
                "Untrusted TLS connection established to mx.plain.test[127.0.0.1]:" + port + ": "));
        Outcome only = send("plain.test", "dane-only");
        assertThat(only.kind()).isEqualTo("deferred");
        assertThat(only.status().text()).isEqualTo("non DNSSEC destination");
    }

    @Test
    void insecureMxWithSecureTlsaIsDaneButOnlyTrusted() throws Exception {
        // smtp_tls_dane_insecure_mx_policy = dane (the default at level dane): the TLSA records count,
        // but the MX name could be forged, so a match is logged "Trusted"
        Outcome o = send("mixed.plain.test", "dane");
        assertThat(o.kind()).as("%s", o).isEqualTo("sent");
        assertThat(o.status().relay()).isEqualTo("mx.dane.test[127.0.0.1]:" + port);
        assertThat(SmtpFixture.log()).anyMatch(l -> l.startsWith(
                "Trusted TLS connection established to mx.dane.test[127.0.0.1]:" + port + ": "));
    }
}
