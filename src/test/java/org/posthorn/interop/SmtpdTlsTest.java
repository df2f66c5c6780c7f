package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Server-side TLS of smtpd against real clients: swaks (STARTTLS and wrapper mode, client
 * certificates), Python's smtplib, openssl s_client, Debian's posttls-finger, a real Postfix
 * relaying to us at smtp_tls_security_level = encrypt, and the same TLS sessions sent to a
 * real Postfix smtpd to compare log lines and Received: headers. Keys and certificates come
 * from a test CA made with openssl.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmtpdTlsTest {
    private Path dir;
    private Path certs;
    private E2eInstance ph;
    private int wrapperPort;
    private int encryptPort;
    private int certRelayPort;
    private int nonePort;
    private int reqCcertPort;
    private int chainPort;
    private String clientFingerprint;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "smtpd-tls");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        certs = dir.resolve("certs");
        Files.createDirectories(certs);
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3",
                "-subj", "/CN=Test CA");
        issue("server", "posthorn.test");
        issue("client", "client.test");
        issue("banned", "banned.test");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "stranger.key", "-out", "stranger.pem",
                "-days", "3", "-subj", "/CN=stranger");
        try (var s = Files.list(certs)) {
            for (Path p : s.toList()) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }
        String fp = openssl("x509", "-in", "client.pem", "-noout", "-fingerprint", "-sha256");
        clientFingerprint = fp.substring(fp.indexOf('=') + 1).strip();
        Files.writeString(certs.resolve("relay_clientcerts"), clientFingerprint + " client.test\n");
        String banned = openssl("x509", "-in", "banned.pem", "-noout", "-fingerprint", "-sha256");
        Files.writeString(certs.resolve("ccert_access"), banned.substring(banned.indexOf('=') + 1).strip()
                + " REJECT certificate banned here\n");

        wrapperPort = SmtpFixture.freePort();
        encryptPort = SmtpFixture.freePort();
        certRelayPort = SmtpFixture.freePort();
        nonePort = SmtpFixture.freePort();
        reqCcertPort = SmtpFixture.freePort();
        chainPort = SmtpFixture.freePort();
        // smtpd_tls_chain_files: an RSA chain and an ECDSA chain, each a key followed by its certificate
        openssl("ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", "ec.key");
        openssl("req", "-new", "-key", "ec.key", "-out", "ec.csr", "-subj", "/CN=posthorn.test");
        openssl("x509", "-req", "-in", "ec.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "ec.pem", "-days", "3");
        Files.writeString(certs.resolve("rsa-chain.pem"), Files.readString(certs.resolve("server.key"))
                + Files.readString(certs.resolve("server.pem")) + Files.readString(certs.resolve("ca.pem")));
        Files.writeString(certs.resolve("ec-chain.pem"), Files.readString(certs.resolve("ec.key"))
                + Files.readString(certs.resolve("ec.pem")));
        ph = new E2eInstance(dir.resolve("ph"));
        List<String> main = new ArrayList<>(tlsMainCf());
        main.add("relay_clientcerts = texthash:" + certs.resolve("relay_clientcerts"));
        // the Received: header test's message stays in the hold queue
        Files.writeString(certs.resolve("hold"), "hdr@remote.test HOLD\n");
        main.add("smtpd_recipient_restrictions = check_recipient_access texthash:" + certs.resolve("hold"));
        ph.configure(main,
                "127.0.0.1:" + wrapperPort + " inet n - n - - smtpd -o smtpd_tls_wrappermode=yes",
                "127.0.0.1:" + encryptPort + " inet n - n - - smtpd -o smtpd_tls_security_level=encrypt"
                        + " -o smtpd_forbid_unauth_pipelining=yes",
                "127.0.0.1:" + certRelayPort + " inet n - n - - smtpd"
                        + " -o smtpd_client_restrictions=check_ccert_access,texthash:" + certs.resolve("ccert_access")
                        + " -o smtpd_relay_restrictions=permit_tls_clientcerts,reject_unauth_destination",
                "127.0.0.1:" + nonePort + " inet n - n - - smtpd -o smtpd_tls_security_level=none",
                "127.0.0.1:" + reqCcertPort + " inet n - n - - smtpd -o smtpd_tls_security_level=encrypt"
                        + " -o smtpd_tls_req_ccert=yes",
                "127.0.0.1:" + chainPort + " inet n - n - - smtpd -o smtpd_tls_chain_files="
                        + certs.resolve("rsa-chain.pem") + "," + certs.resolve("ec-chain.pem"));
        ph.start();
    }

    /** The TLS lines both our instance and the reference Postfix get. */
    private List<String> tlsMainCf() {
        return List.of(
                "smtpd_tls_security_level = may",
                "smtpd_tls_cert_file = " + certs.resolve("server.pem"),
                "smtpd_tls_key_file = " + certs.resolve("server.key"),
                "smtpd_tls_CAfile = " + certs.resolve("ca.pem"),
                "smtpd_tls_ask_ccert = yes",
                "smtpd_tls_loglevel = 1",
                "smtpd_tls_received_header = yes",
                // Postfix 3.7's default (Posthorn defaults to 3.9's yes): clients that pipe a whole script still work
                "smtpd_forbid_unauth_pipelining = no");
    }

    @AfterAll
    void stop() throws Exception {
        if (ph != null) ph.close();
    }

    private void issue(String name, String cn) throws Exception {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "3");
    }

    private String openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(certs.toFile()).redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    private E2eInstance.Ran run(String stdin, String... cmd) throws Exception {
        return ph.run(stdin, cmd);
    }

    private static final Pattern ESTABLISHED = Pattern.compile("(?m)^.*postfix/smtpd\\[\\d+\\]: ((Anonymous|Untrusted|Trusted) TLS connection established from .*)$");

    /** The "TLS connection established" lines of a log, without the time and pid prefix. */
    private static List<String> established(String log) {
        List<String> out = new ArrayList<>();
        Matcher m = ESTABLISHED.matcher(log);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private String awaitEstablished(int count) throws Exception {
        return ph.awaitLog(10, l -> established(l).size() >= count);
    }

    @Test
    void swaksStarttlsAndWrapperMode() throws Exception {
        int before = established(ph.maillog()).size();
        E2eInstance.Ran r = run("", "swaks", "--server", "127.0.0.1:" + ph.port, "--tls", "--from", "x@y.test",
                "--to", "a@b.test", "--quit-after", "RCPT");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("<-  250-STARTTLS", "<-  220 2.0.0 Ready to start TLS",
                "TLS started with cipher TLSv1.3:TLS_AES_256_GCM_SHA384:256", "<~  250 2.1.5 Ok");
        // after the handshake EHLO no longer offers STARTTLS
        assertThat(r.out().substring(r.out().indexOf("TLS started"))).doesNotContain("STARTTLS");

        E2eInstance.Ran w = run("", "swaks", "--server", "127.0.0.1:" + wrapperPort, "--tlsc", "--from", "x@y.test",
                "--to", "a@b.test", "--quit-after", "RCPT");
        assertThat(w.status()).as(w.out() + w.err()).isZero();
        assertThat(w.out()).contains("<~  220 posthorn.test ESMTP Postfix", "<~  250 2.1.5 Ok").doesNotContain("STARTTLS");
        String log = awaitEstablished(before + 2);
        assertThat(established(log).subList(before, before + 2)).containsOnly("Anonymous TLS connection established from "
                + "localhost[127.0.0.1]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
                + "server-signature RSA-PSS (2048 bits) server-digest SHA256");
    }

    @Test
    void pythonSmtplibStarttls() throws Exception {
        String script = """
                import smtplib, ssl, sys
                ctx = ssl.create_default_context(cafile=sys.argv[2])
                ctx.check_hostname = False
                s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='py.test')
                s.ehlo()
                assert s.has_extn('starttls')
                print(s.starttls(context=ctx))
                s.ehlo()
                assert not s.has_extn('starttls')
                print(s.sock.version(), s.sock.cipher()[0])
                print(s.sendmail('x@y.test', ['a@b.test'], 'Subject: hi\\r\\n\\r\\nbody\\r\\n'))
                s.quit()
                """;
        E2eInstance.Ran r = run(script, "python3", "-", Integer.toString(ph.port), certs.resolve("ca.pem").toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("(220, b'2.0.0 Ready to start TLS')", "TLSv1.3 TLS_AES_256_GCM_SHA384", "{}");
    }

    @Test
    void opensslSClientAndPosttlsFinger() throws Exception {
        E2eInstance.Ran r = run("EHLO sclient.test\nQUIT\n", "openssl", "s_client", "-starttls", "smtp", "-crlf", "-quiet",
                "-connect", "127.0.0.1:" + ph.port, "-CAfile", certs.resolve("ca.pem").toString(),
                "-verify_hostname", "posthorn.test", "-verify_return_error");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("250-posthorn.test", "221 2.0.0 Bye");
        assertThat(r.err()).contains("verify return:1");

        PostfixCommandTest.Result f = PostfixCommandTest.run(List.of("/usr/sbin/posttls-finger", "-c", "-l", "secure",
                "-F", certs.resolve("ca.pem").toString(), "[127.0.0.1]:" + ph.port, "posthorn.test"), Map.of());
        assertThat(f.status()).as(f.out() + f.err()).isZero();
        assertThat(f.out() + f.err()).contains("Verified TLS connection established to 127.0.0.1[127.0.0.1]:" + ph.port
                + ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)");
    }

    /** The default instance comes with a self-signed certificate and STARTTLS at level may. */
    @Test
    void defaultInstanceHasACertificate() throws Exception {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("var"));
        Path etc = home.resolve("var/etc");
        org.posthorn.config.DefaultInstance.create(home, etc);
        org.posthorn.config.Config c = org.posthorn.config.Config.load(etc);
        assertThat(c.get("smtpd_tls_security_level")).isEqualTo("may");
        Path cert = Path.of(c.get("smtpd_tls_cert_file"));
        Path key = Path.of(c.get("smtpd_tls_key_file"));
        assertThat(cert).isEqualTo(etc.resolve("smtpd-cert.pem"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        // OpenSSL reads what we made, and the key belongs to the certificate
        String modulusCert = openssl("x509", "-in", cert.toString(), "-noout", "-modulus");
        assertThat(openssl("rsa", "-in", key.toString(), "-noout", "-modulus")).isEqualTo(modulusCert);
        assertThat(openssl("x509", "-in", cert.toString(), "-noout", "-subject")).contains("CN = localhost.localdomain");
    }

    /** RSA and ECDSA chains side by side: the client's signature algorithms pick one. */
    @Test
    void rsaAndEcdsaChainFiles() throws Exception {
        int before = established(ph.maillog()).size();
        for (String sigalgs : List.of("ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha384:ecdsa_secp256r1_sha256")) {
            E2eInstance.Ran r = run("EHLO sclient.test\nQUIT\n", "openssl", "s_client", "-starttls", "smtp", "-crlf",
                    "-quiet", "-connect", "127.0.0.1:" + chainPort, "-sigalgs", sigalgs);
            assertThat(r.out()).as(r.err()).contains("221 2.0.0 Bye");
        }
        List<String> lines = established(awaitEstablished(before + 2));
        assertThat(lines.subList(before, before + 2)).containsExactly(
                "Anonymous TLS connection established from localhost[127.0.0.1]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384"
                        + " (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256",
                "Anonymous TLS connection established from localhost[127.0.0.1]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384"
                        + " (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA384");
    }

    /** CVE-2011-0411: a command pipelined behind STARTTLS in plaintext is never run inside TLS. */
    @Test
    void plaintextAfterStarttlsIsDiscarded() throws Exception {
        List<String> replies = injection(ph.port);
        // the first reply inside TLS answers the EHLO; the injected RSET got none
        assertThat(replies).contains("220 2.0.0 Ready to start TLS");
        assertThat(replies.get(replies.indexOf("220 2.0.0 Ready to start TLS") + 1)).isEqualTo("250-posthorn.test");
        // with smtpd_forbid_unauth_pipelining = yes the session ends before any TLS
        assertThat(injection(encryptPort)).containsExactly("554 5.5.0 Error: SMTP protocol synchronization");
        assertThat(ph.awaitLog(5, l -> l.contains("improper command pipelining after STARTTLS")))
                .contains("improper command pipelining after STARTTLS from localhost[127.0.0.1]: RSET\\r\\n");
    }

    /**
     * Sends EHLO, then "STARTTLS\r\nRSET\r\n" in one write, does the handshake and sends EHLO;
     * returns the reply to STARTTLS and the replies inside TLS (or the one reply that ended the session).
     */
    static List<String> injection(int port) throws Exception {
        try (Socket raw = new Socket("127.0.0.1", port)) {
            raw.setSoTimeout(10000);
            BufferedReader in = new BufferedReader(new InputStreamReader(raw.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = raw.getOutputStream();
            assertThat(in.readLine()).startsWith("220 ");
            out.write("EHLO inject.test\r\n".getBytes(StandardCharsets.US_ASCII));
            for (String l = in.readLine(); !l.startsWith("250 "); l = in.readLine()) assertThat(l).startsWith("250-");
            out.write("STARTTLS\r\nRSET\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String ready = in.readLine();
            if (!"220 2.0.0 Ready to start TLS".equals(ready)) return List.of(String.valueOf(ready));
            SSLSocket tls = (SSLSocket) trustAll().getSocketFactory().createSocket(raw, "127.0.0.1", port, false);
            tls.startHandshake();
            BufferedReader tin = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII));
            tls.getOutputStream().write("EHLO inject.test\r\n".getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            List<String> replies = new ArrayList<>(List.of(ready));
            for (String l = tin.readLine(); l != null; l = tin.readLine()) {
                replies.add(l);
                if (l.startsWith("250 ") || !l.startsWith("250")) break;
            }
            return replies;
        }
    }

    static SSLContext trustAll() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {org.posthorn.tls.TlsContexts.acceptingAll(List.of())}, null);
        return ctx;
    }

    @Test
    void encryptLevelWantsStarttlsBeforeMail() throws Exception {
        E2eInstance.Ran plain = run("", "swaks", "--server", "127.0.0.1:" + encryptPort, "--from", "x@y.test",
                "--to", "a@b.test", "--quit-after", "RCPT");
        assertThat(plain.out()).contains("<** 530 5.7.0 Must issue a STARTTLS command first");
        E2eInstance.Ran tls = run("", "swaks", "--server", "127.0.0.1:" + encryptPort, "--tls", "--from", "x@y.test",
                "--to", "a@b.test", "--quit-after", "RCPT");
        assertThat(tls.status()).as(tls.out()).isZero();
        assertThat(tls.out()).contains("<~  250 2.1.5 Ok");
    }

    @Test
    void starttlsReplies() throws Exception {
        try (MasterServicesTest.Client c = new MasterServicesTest.Client(ph.port, 5000)) {
            assertThat(c.read()).startsWith("220 ");
            c.send("EHLO x.test");
            for (String l = c.read(); !l.startsWith("250 "); l = c.read()) assertThat(l).startsWith("250-");
            c.send("STARTTLS now");
            assertThat(c.read()).isEqualTo("501 5.5.4 Syntax: STARTTLS");
        }
        // wrapper mode: TLS is already on, a STARTTLS gets 554 (checked with openssl below)
        E2eInstance.Ran s = run("EHLO x.test\nSTARTTLS\nQUIT\n", "openssl", "s_client", "-crlf", "-quiet",
                "-connect", "127.0.0.1:" + wrapperPort);
        assertThat(s.out()).contains("554 5.5.1 Error: TLS already active", "221 2.0.0 Bye");
    }

    @Test
    void clientCertificatesForRelayAndAccess() throws Exception {
        // relay for a trusted certificate listed in relay_clientcerts, checked after check_ccert_access
        E2eInstance.Ran stranger = run("", "swaks", "--server", "127.0.0.1:" + certRelayPort, "--tls",
                "--tls-cert", certs.resolve("stranger.pem").toString(), "--tls-key", certs.resolve("stranger.key").toString(),
                "--from", "x@y.test", "--to", "a@remote.test", "--quit-after", "RCPT");
        assertThat(stranger.out()).contains("<~* 554 5.7.1 <a@remote.test>: Relay access denied");
        assertThat(stranger.out()).contains("=== TLS local DN=\"/CN=stranger\"");
        E2eInstance.Ran none = run("", "swaks", "--server", "127.0.0.1:" + certRelayPort, "--tls",
                "--from", "x@y.test", "--to", "a@remote.test", "--quit-after", "RCPT");
        assertThat(none.out()).contains("<~* 554 5.7.1 <a@remote.test>: Relay access denied");

        E2eInstance.Ran banned = run("", "swaks", "--server", "127.0.0.1:" + certRelayPort, "--tls",
                "--tls-cert", certs.resolve("banned.pem").toString(), "--tls-key", certs.resolve("banned.key").toString(),
                "--from", "x@y.test", "--to", "a@remote.test", "--quit-after", "RCPT");
        assertThat(banned.out()).contains("<~* 554 5.7.1 <localhost[127.0.0.1]>: Client host rejected: certificate banned here");

        E2eInstance.Ran listed = run("", "swaks", "--server", "127.0.0.1:" + certRelayPort, "--tls",
                "--tls-cert", certs.resolve("client.pem").toString(), "--tls-key", certs.resolve("client.key").toString(),
                "--from", "x@y.test", "--to", "a@remote.test", "--quit-after", "RCPT");
        assertThat(listed.out()).contains("<~  250 2.1.5 Ok");
        assertThat(ph.maillog()).contains("Untrusted TLS connection established from localhost[127.0.0.1]",
                "Trusted TLS connection established from localhost[127.0.0.1]");
    }

    /**
     * The same clients against a real Postfix smtpd with the same TLS settings: the established
     * lines and the Received: headers' TLS comments must be the same.
     */
    @Test
    void realPostfixRelaysToUsOverTlsAndLogsAsWeDo() throws Exception {
        List<String> refMain = new ArrayList<>(tlsMainCf());
        refMain.add("smtp_tls_security_level = encrypt");
        refMain.add("smtp_tls_loglevel = 1");
        try (ReferencePostfix ref = new ReferencePostfix("smtpd-tls-ref", ph.port, refMain.toArray(String[]::new))) {
            ref.addService("tlsmgr    unix  -       -       n       1000?   1       tlsmgr");
            // a real Postfix delivers to our smtpd at level encrypt
            E2eInstance.Ran sent = run("", "swaks", "--server", "127.0.0.1:" + ref.smtpPort, "--from", "x@y.test",
                    "--to", "relayed@remote.test", "--header", "Subject: relayed");
            assertThat(sent.status()).as(sent.out()).isZero();
            long end = System.nanoTime() + 20_000_000_000L;
            while (!ref.log().contains("status=sent") && System.nanoTime() < end) Thread.sleep(200);
            assertThat(ref.log()).contains("TLS connection established to 127.0.0.1[127.0.0.1]:" + ph.port
                    + ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)").contains("status=sent");

            // the same three kinds of client certificate against both smtpds
            List<List<String>> clients = List.of(List.of(),
                    List.of("--tls-cert", certs.resolve("client.pem").toString(), "--tls-key", certs.resolve("client.key").toString()),
                    List.of("--tls-cert", certs.resolve("stranger.pem").toString(), "--tls-key", certs.resolve("stranger.key").toString()),
                    List.of("--tls-protocol", "tlsv1_2"));
            for (int port : new int[] {ref.smtpPort, ph.port}) {
                for (List<String> extra : clients) {
                    List<String> cmd = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1:" + port, "--tls",
                            "--from", "x@y.test", "--to", "a@remote.test", "--quit-after", "RCPT"));
                    cmd.addAll(extra);
                    E2eInstance.Ran r = run("", cmd.toArray(String[]::new));
                    assertThat(r.status()).as(r.out()).isZero();
                }
            }
            long wait = System.nanoTime() + 10_000_000_000L;
            while (established(ref.log()).size() < clients.size() && System.nanoTime() < wait) Thread.sleep(100);
            List<String> theirs = established(ref.log());
            List<String> ours = established(awaitEstablished(1));
            assertThat(ours.subList(ours.size() - clients.size(), ours.size()))
                    .isEqualTo(theirs.subList(theirs.size() - clients.size(), theirs.size()));
            // the relayed message's Received: header, with the TLS comment of Postfix's smtp client session
            String log = ph.awaitLog(10, l -> l.contains("to=<relayed@remote.test>"));
            assertThat(log).contains("to=<relayed@remote.test>");
        }
    }

    /** STARTTLS replies, the injection case and smtpd_tls_req_ccert, compared with a real Postfix on the same bytes. */
    @Test
    void starttlsDialoguesAsRealPostfix() throws Exception {
        try (ReferencePostfix ref = new ReferencePostfix("smtpd-tls-dlg", SmtpFixture.freePort(),
                tlsMainCf().toArray(String[]::new))) {
            int refNone = SmtpFixture.freePort();
            int refReq = SmtpFixture.freePort();
            Files.writeString(ref.base.resolve("etc/master.cf"),
                    "127.0.0.1:" + refNone + " inet n - n - - smtpd -o smtpd_tls_security_level=none\n"
                            + "127.0.0.1:" + refReq + " inet n - n - - smtpd -o smtpd_tls_security_level=encrypt"
                            + " -o smtpd_tls_req_ccert=yes\n",
                    java.nio.file.StandardOpenOption.APPEND);
            ref.addService("tlsmgr    unix  -       -       n       1000?   1       tlsmgr");
            int[][] pairs = {{ref.smtpPort, ph.port}, {refNone, nonePort}, {refReq, reqCcertPort}};
            for (int[] pair : pairs) {
                for (String script : List.of("EHLO x.test\r\nSTARTTLS x\r\nQUIT\r\n", "EHLO x.test\r\nSTARTTLS\r\n",
                        "HELO x.test\r\nMAIL FROM:<a@b.test>\r\nQUIT\r\n")) {
                    assertThat(dialogue(pair[1], script)).as(script + " on " + pair[1])
                            .isEqualTo(dialogue(pair[0], script).replace("reference.test", "posthorn.test"));
                }
            }
            assertThat(injection(ph.port)).isEqualTo(injection(ref.smtpPort).stream()
                    .map(l -> l.replace("reference.test", "posthorn.test")).toList());
            // a resumed session (the service's session cache): Postfix drops the digest from its line
            String resume = """
                    import socket, ssl, sys
                    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
                    def once(port, sess):
                        s = socket.create_connection(('127.0.0.1', port)); f = s.makefile('rb')
                        f.readline(); s.sendall(b'EHLO r.test\\r\\n')
                        while not f.readline().startswith(b'250 '): pass
                        s.sendall(b'STARTTLS\\r\\n'); f.readline()
                        t = ctx.wrap_socket(s, session=sess); t.sendall(b'EHLO r.test\\r\\n'); tf = t.makefile('rb')
                        while not tf.readline().startswith(b'250 '): pass
                        t.sendall(b'QUIT\\r\\n'); tf.readline()
                        r = (t.session, t.session_reused); t.close(); return r
                    for port in sys.argv[1:]:
                        print(once(int(port), once(int(port), None)[0])[1])
                    """;
            E2eInstance.Ran resumed = run(resume, "python3", "-", Integer.toString(ref.smtpPort), Integer.toString(ph.port));
            assertThat(resumed.out()).as(resumed.err()).isEqualTo("True\nTrue\n");
            String theirLast = established(ref.log()).getLast();
            assertThat(theirLast).endsWith("server-signature RSA-PSS (2048 bits)");
            assertThat(established(ph.awaitLog(5, l -> established(l).getLast().endsWith("(2048 bits)"))).getLast())
                    .isEqualTo(theirLast);

            // smtpd_tls_req_ccert: no certificate, an untrusted one
            for (List<String> extra : List.of(List.<String>of(),
                    List.of("--tls-cert", certs.resolve("stranger.pem").toString(), "--tls-key", certs.resolve("stranger.key").toString()))) {
                List<String> ours = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1:" + reqCcertPort, "--tls",
                        "--to", "a@b.test", "--quit-after", "RCPT"));
                ours.addAll(extra);
                List<String> theirs = new ArrayList<>(ours);
                theirs.set(2, "127.0.0.1:" + refReq);
                String a = run("", ours.toArray(String[]::new)).out();
                String b = run("", theirs.toArray(String[]::new)).out();
                assertThat(a).contains("<~* 421 4.7.1 posthorn.test Error: ");
                assertThat(a.substring(a.indexOf("<~* 421"))).isEqualTo(b.substring(b.indexOf("<~* 421"))
                        .replace("reference.test", "posthorn.test"));
            }
            String log = ph.awaitLog(5, l -> l.contains("Client certificate not trusted"));
            assertThat(log).contains("NOQUEUE: abort: TLS from localhost[127.0.0.1]: No client certificate presented",
                    "certificate verification failed for localhost[127.0.0.1]: self-signed certificate",
                    "NOQUEUE: abort: TLS from localhost[127.0.0.1]: Client certificate not trusted");
        }
    }

    /** Sends a script in one write and returns everything the server says until it closes or goes quiet. */
    static String dialogue(int port, String script) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(3000);
            var in = s.getInputStream();
            StringBuilder out = new StringBuilder();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            out.append(r.readLine()).append('\n');
            s.getOutputStream().write(script.getBytes(StandardCharsets.US_ASCII));
            try {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    out.append(l).append('\n');
                    if (l.startsWith("220 2.0.0")) break; // the TLS handshake would follow
                }
            } catch (java.net.SocketTimeoutException e) {
                // quiet: done
            }
            return out.toString();
        }
    }

    @Test
    void receivedHeaderAsPostfixWritesIt() throws Exception {
        E2eInstance.Ran r = run("", "swaks", "--server", "127.0.0.1:" + ph.port, "--tls", "--from", "x@y.test",
                "--to", "hdr@remote.test", "--tls-cert", certs.resolve("client.pem").toString(),
                "--tls-key", certs.resolve("client.key").toString(), "--header", "Subject: received");
        assertThat(r.status()).as(r.out()).isZero();
        Matcher m = Pattern.compile("queued as ([0-9A-F]+)").matcher(r.out());
        assertThat(m.find()).isTrue();
        String id = m.group(1);
        String text = "";
        for (int i = 0; i < 50 && !text.contains("Received:"); i++) {
            for (String q : List.of("hold")) {
                for (Path f : ph.queueFiles(q)) {
                    if (f.getFileName().toString().equals(id)) {
                        text = PostfixCommandTest.run(List.of("/usr/sbin/postcat", "-h", f.toString()), Map.of()).out();
                    }
                }
            }
            if (!text.contains("Received:")) Thread.sleep(100);
        }
        assertThat(text).contains("""
                \t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
                \t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256
                \t client-signature RSA-PSS (2048 bits) client-digest SHA256)
                \t(Client CN "client.test", Issuer "Test CA" (verified OK))
                \tby posthorn.test (Postfix) with ESMTPS id\s""" + id);
    }
}
