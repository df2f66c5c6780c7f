package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.dns.DnsResolver;
import org.posthorn.interop.SmtpFixture.Outcome;
import org.posthorn.interop.SmtpFixture.SmtpSink;
import org.posthorn.smtp.SmtpService;

/**
 * MX routing through a real DNS server: dnsmasq on a loopback port holds the MX, A and AAAA
 * records of test domains whose mail exchangers are smtp-sinks on loopback addresses
 * (127.0.0.3 and 127.0.0.4; 127.0.0.5 has no server and refuses).
 */
@Tag("interop")
class SmtpDnsMxTest {
    @TempDir
    static Path tmp;
    static Process dnsmasq;
    static int port;
    static SmtpSink mx3;
    static SmtpSink mx4;

    @BeforeAll
    static void start() throws Exception {
        int dnsPort = SmtpFixture.freePort();
        int deadPort = SmtpFixture.freePort();
        port = SmtpFixture.freePort();
        List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                "--port=" + dnsPort, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                "--pid-file=", "--log-facility=" + tmp.resolve("dnsmasq.log"),
                // preferences: mx1 (10) before mx2 (20)
                "--mx-host=a.test,mx1.a.test,10", "--mx-host=a.test,mx2.a.test,20",
                "--host-record=mx1.a.test,127.0.0.3", "--host-record=mx2.a.test,127.0.0.4", "--local=/a.test/",
                // the best MX refuses connections
                "--mx-host=b.test,mx1.b.test,10", "--mx-host=b.test,mx2.b.test,20",
                "--host-record=mx1.b.test,127.0.0.5", "--host-record=mx2.b.test,127.0.0.4", "--local=/b.test/",
                // equal preferences
                "--mx-host=eq.test,mx1.eq.test,10", "--mx-host=eq.test,mx2.eq.test,10",
                "--host-record=mx1.eq.test,127.0.0.3", "--host-record=mx2.eq.test,127.0.0.4", "--local=/eq.test/",
                // every MX down
                "--mx-host=down.test,mx.down.test,10", "--host-record=mx.down.test,127.0.0.5", "--local=/down.test/",
                // no MX: the domain's own address (implicit MX)
                "--host-record=impl.test,127.0.0.4", "--local=/impl.test/",
                // RFC 7505 null MX
                "--mx-host=null.test,.,0", "--local=/null.test/",
                // NXDOMAIN
                "--local=/nx.test/",
                // an upstream that never answers: timeouts
                "--server=/sf.test/127.0.0.1#" + deadPort));
        dnsmasq = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        SmtpFixture.awaitListening("127.0.0.1", dnsPort, dnsmasq);
        System.setProperty(DnsResolver.SERVERS_PROPERTY, "127.0.0.1:" + dnsPort);
        System.setProperty(DnsResolver.TIMEOUT_PROPERTY, "1");
        mx3 = new SmtpSink(tmp.resolve("mx3"), "127.0.0.3", port);
        mx4 = new SmtpSink(tmp.resolve("mx4"), "127.0.0.4", port);
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty(DnsResolver.SERVERS_PROPERTY);
        System.clearProperty(DnsResolver.TIMEOUT_PROPERTY);
        if (mx3 != null) mx3.close();
        if (mx4 != null) mx4.close();
        if (dnsmasq != null) {
            dnsmasq.destroy();
            dnsmasq.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private Outcome send(String domain, Map<String, String> settings) throws Exception {
        SmtpService agent = SmtpFixture.start(false, tmp, settings);
        String rcpt = "user@" + domain;
        Outcome o = SmtpFixture.deliver(agent, domain + ":" + port,
                SmtpFixture.message(tmp.resolve("queue"), "s@example.org", List.of(rcpt), "Subject: mx\n\nx\n")).of(rcpt);
        agent.stop();
        return o;
    }

    private Outcome send(String domain) throws Exception {
        return send(domain, Map.of());
    }

    @Test
    void bestPreferenceFirst() throws Exception {
        for (int i = 0; i < 3; i++) {
            Outcome o = send("a.test");
            assertThat(o.kind()).isEqualTo("sent");
            assertThat(o.status().relay()).isEqualTo("mx1.a.test[127.0.0.3]:" + port);
            assertThat(o.status().remoteMta()).isEqualTo("dns; mx1.a.test");
        }
    }

    @Test
    void nextMxWhenTheFirstRefuses() throws Exception {
        Outcome o = send("b.test");
        assertThat(o.kind()).isEqualTo("sent");
        assertThat(o.status().relay()).isEqualTo("mx2.b.test[127.0.0.4]:" + port);
        assertThat(SmtpFixture.log()).contains("connect to mx1.b.test[127.0.0.5]:" + port + ": Connection refused");
    }

    @Test
    void equalPreferencesAreRandomised() throws Exception {
        Set<String> relays = new HashSet<>();
        for (int i = 0; i < 24 && relays.size() < 2; i++) relays.add(send("eq.test").status().relay());
        assertThat(relays).containsExactlyInAnyOrder("mx1.eq.test[127.0.0.3]:" + port, "mx2.eq.test[127.0.0.4]:" + port);
        // without randomisation, DNS order stays (dnsmasq answers in its own fixed order)
        Set<String> fixed = new HashSet<>();
        for (int i = 0; i < 6; i++) fixed.add(send("eq.test", Map.of("smtp_randomize_addresses", "no")).status().relay());
        assertThat(fixed).hasSize(1);
    }

    @Test
    void implicitMx() throws Exception {
        Outcome o = send("impl.test");
        assertThat(o.kind()).isEqualTo("sent");
        assertThat(o.status().relay()).isEqualTo("impl.test[127.0.0.4]:" + port);
    }

    @Test
    void allMxDownDefersThenFallbackRelayDelivers() throws Exception {
        Outcome o = send("down.test");
        assertThat(o.kind()).isEqualTo("deferred");
        assertThat(o.status().dsn()).isEqualTo("4.4.1");
        assertThat(o.status().text()).isEqualTo("connect to mx.down.test[127.0.0.5]:" + port + ": Connection refused");
        Outcome f = send("down.test", Map.of("smtp_fallback_relay", "[127.0.0.4]:" + port));
        assertThat(f.kind()).isEqualTo("sent");
        assertThat(f.status().relay()).isEqualTo("127.0.0.4[127.0.0.4]:" + port);
    }

    @Test
    void nxdomainBounces() throws Exception {
        Outcome o = send("nx.test");
        assertThat(o.kind()).isEqualTo("bounced");
        assertThat(o.status().dsn()).isEqualTo("5.4.4");
        assertThat(o.status().relay()).isEqualTo("none");
        assertThat(o.status().text()).isEqualTo(
                "Host or domain name not found. Name service error for name=nx.test type=MX: Host not found");
    }

    @Test
    void nullMxBounces() throws Exception {
        Outcome o = send("null.test");
        assertThat(o.kind()).isEqualTo("bounced");
        assertThat(o.status().dsn()).isEqualTo("5.1.0");
        assertThat(o.status().text()).isEqualTo("Domain null.test does not accept mail (nullMX)");
    }

    @Test
    void dnsTimeoutDefers() throws Exception {
        Outcome o = send("sf.test");
        assertThat(o.kind()).isEqualTo("deferred");
        assertThat(o.status().dsn()).isEqualTo("4.4.3");
        assertThat(o.status().text()).isEqualTo(
                "Host or domain name not found. Name service error for name=sf.test type=MX: Host not found, try again");
    }

    @Test
    void ignoreMxLookupErrorFallsBackToAddresses() throws Exception {
        // the MX lookup times out, then so does the A lookup: still a deferral, now for type=A
        Outcome o = send("sf.test", Map.of("ignore_mx_lookup_error", "yes", "inet_protocols", "ipv4"));
        assertThat(o.kind()).isEqualTo("deferred");
        assertThat(o.status().text()).contains("name=sf.test type=A: Host not found, try again");
    }
}
