package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.dns.DnsResolver;
import org.posthorn.smtpd.Dialogue;
import org.posthorn.smtpd.RecordingCleanup;
import org.posthorn.smtpd.TestServer;

/**
 * smtpd's DNS restrictions through a real DNS server: dnsmasq on a loopback port holds a DNS
 * list zone (127.0.0.2 listed with a TXT reason), an MX-only domain, a null MX, an NXDOMAIN
 * zone and a zone whose server never answers. (Postfix itself cannot be compared here: its
 * resolver reads only /etc/resolv.conf and port 53.)
 */
@Tag("interop")
class SmtpdDnsTest {
    @TempDir
    static Path tmp;
    static Process dnsmasq;

    @BeforeAll
    static void start() throws Exception {
        int dnsPort = SmtpFixture.freePort();
        int deadPort = SmtpFixture.freePort();
        List<String> cmd = List.of("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                "--port=" + dnsPort, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                "--pid-file=", "--log-facility=" + tmp.resolve("dnsmasq.log"),
                "--host-record=2.0.0.127.rbl.test,127.0.0.2", "--txt-record=2.0.0.127.rbl.test,listed for testing",
                "--local=/rbl.test/",
                "--mx-host=mxonly.test,mail.elsewhere.test,10", "--local=/mxonly.test/",
                "--mx-host=null.test,.,0", "--local=/null.test/",
                "--local=/nx.test/",
                "--mx-host=badmx.test,mx.spamhost.test,10", "--host-record=mx.spamhost.test,127.0.0.9",
                "--local=/badmx.test/", "--local=/spamhost.test/",
                "--server=/sf.test/127.0.0.1#" + deadPort);
        try {
            dnsmasq = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("dnsmasq cannot start: " + e.getMessage(), e);
        }
        SmtpFixture.awaitListening("127.0.0.1", dnsPort, dnsmasq);
        System.setProperty(DnsResolver.SERVERS_PROPERTY, "127.0.0.1:" + dnsPort);
        System.setProperty(DnsResolver.TIMEOUT_PROPERTY, "1");
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty(DnsResolver.SERVERS_PROPERTY);
        System.clearProperty(DnsResolver.TIMEOUT_PROPERTY);
        if (dnsmasq != null) {
            dnsmasq.destroy();
            dnsmasq.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** EHLO, MAIL, RCPT from the given loopback address; returns the MAIL and RCPT replies. */
    private static List<String> mail(String from, String sender, Map<String, String> settings) throws Exception {
        Map<String, String> cf = Dialogue.mainCf("default");
        cf.put("smtpd_peername_lookup", "no");
        cf.putAll(settings);
        List<String> replies = new ArrayList<>();
        try (TestServer server = new TestServer(cf, new RecordingCleanup(tmp, false));
             Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(15000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            reply(in);
            for (String command : List.of("EHLO client.test", "MAIL FROM:<" + sender + ">", "RCPT TO:<r@reference.test>",
                    "QUIT")) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String r = reply(in);
                if (command.startsWith("MAIL") || command.startsWith("RCPT")) replies.add(r);
            }
        }
        return replies;
    }

    /** The last line of a (multi-line) reply. */
    private static String reply(BufferedReader in) throws Exception {
        String line;
        do {
            line = in.readLine();
            if (line == null) return "<EOF>";
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    @Test
    void rblClientRejectsWithTheTxtReason() throws Exception {
        Map<String, String> cf = Map.of("smtpd_client_restrictions", "reject_rbl_client rbl.test");
        assertThat(mail("127.0.0.2", "s@example.org", cf)).containsExactly("250 2.1.0 Ok",
                "554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using rbl.test; listed for testing");
        assertThat(mail("127.0.0.1", "s@example.org", cf)).containsExactly("250 2.1.0 Ok", "250 2.1.5 Ok");
        Map<String, String> filtered = Map.of("smtpd_client_restrictions", "reject_rbl_client rbl.test=127.0.0.3",
                "default_rbl_reply", "$rbl_code 5.7.9 [$client_address] ${rbl_reason?is $rbl_reason}");
        assertThat(mail("127.0.0.2", "s@example.org", filtered)).containsExactly("250 2.1.0 Ok", "250 2.1.5 Ok");
        Map<String, String> custom = Map.of("smtpd_client_restrictions", "reject_rbl_client rbl.test",
                "default_rbl_reply", "$rbl_code 5.7.9 [$client_address] ${rbl_reason?is $rbl_reason}");
        assertThat(mail("127.0.0.2", "s@example.org", custom)).containsExactly("250 2.1.0 Ok",
                "554 5.7.9 [127.0.0.2] is listed for testing");
    }

    @Test
    void unknownSenderDomainUsesMxNullMxAndTempfail() throws Exception {
        Map<String, String> cf = Map.of("smtpd_sender_restrictions", "reject_unknown_sender_domain",
                "unknown_address_reject_code", "550");
        assertThat(mail("127.0.0.1", "a@mxonly.test", cf)).containsExactly("250 2.1.0 Ok", "250 2.1.5 Ok");
        assertThat(mail("127.0.0.1", "a@null.test", cf)).containsExactly("250 2.1.0 Ok",
                "550 5.7.27 <a@null.test>: Sender address rejected: Domain null.test does not accept mail (nullMX)");
        assertThat(mail("127.0.0.1", "a@nx.test", cf)).containsExactly("250 2.1.0 Ok",
                "550 5.1.8 <a@nx.test>: Sender address rejected: Domain not found");
        assertThat(mail("127.0.0.1", "a@x.sf.test", cf)).containsExactly("250 2.1.0 Ok",
                "450 4.1.8 <a@x.sf.test>: Sender address rejected: Domain not found");
    }

    @Test
    void senderMxAccessSeesTheMxHostAndItsAddress() throws Exception {
        assertThat(mail("127.0.0.1", "a@badmx.test",
                Map.of("smtpd_sender_restrictions", "check_sender_mx_access inline:{spamhost.test=REJECT}")))
                .containsExactly("250 2.1.0 Ok", "554 5.7.1 <a@badmx.test>: Sender address rejected: Access denied");
        assertThat(mail("127.0.0.1", "a@badmx.test",
                Map.of("smtpd_sender_restrictions", "check_sender_mx_access inline:{{127.0.0.9=550 bad address}}")))
                .containsExactly("250 2.1.0 Ok", "550 5.7.1 <a@badmx.test>: Sender address rejected: bad address");
        assertThat(mail("127.0.0.1", "a@mxonly.test",
                Map.of("smtpd_sender_restrictions", "check_sender_mx_access inline:{spamhost.test=REJECT}")))
                .containsExactly("250 2.1.0 Ok", "250 2.1.5 Ok");
    }
}
