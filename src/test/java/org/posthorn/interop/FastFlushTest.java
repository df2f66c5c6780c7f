package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * flush(8) in a whole instance: mail deferred for a fast_flush_domains site is listed in
 * flush/, and postqueue -s (ours and Debian's, against our public/flush), ETRN and
 * postqueue -i deliver it at once while other deferred mail keeps waiting for its retry time.
 */
@Tag("interop")
class FastFlushTest {
    @TempDir
    Path tmp;

    private static String queueId(String log, String recipient) {
        Matcher m = Pattern.compile("\\]: ([0-9A-F]+): to=<" + Pattern.quote(recipient) + ">.*status=deferred").matcher(log);
        assertThat(m.find()).as(log).isTrue();
        return m.group(1);
    }

    private static int count(String text, String part) {
        return DeliveryAcceptanceTest.count(text, part);
    }

    @Test
    void deferredMailForAFastFlushSiteIsLoggedAndFlushedOnRequest() throws Exception {
        int sinkPort = MasterServicesTest.freePort();
        try (E2eInstance ours = new E2eInstance(tmp.resolve("ours"))) {
            ours.configure(List.of(
                    "relay_domains = flush.test, etrn.test, debian.test",
                    // retries only on request: an hour's back-off
                    "minimal_backoff_time = 1h", "maximal_backoff_time = 2h", "queue_run_delay = 1h",
                    "transport_maps = inline:{flush.test=smtp:[127.0.0.1]:" + sinkPort + ", etrn.test=smtp:[127.0.0.1]:"
                            + sinkPort + ", other.test=smtp:[127.0.0.1]:" + sinkPort + ", debian.test=smtp:[127.0.0.1]:" + sinkPort + "}"),
                    "flush     unix  n       -       n       1000?   0       flush").start();
            String bin = E2eInstance.bin("sendmail");
            for (String rcpt : List.of("a@flush.test", "b@etrn.test", "c@other.test", "d@flush.test", "e@debian.test")) {
                assertThat(ours.run("Subject: to " + rcpt + "\n\nbody\n", bin, "-f", "s@example.org", rcpt).status()).isZero();
            }
            String log = ours.awaitLog(20, l -> count(l, "status=deferred") >= 5);
            assertThat(count(log, "status=deferred")).as(log).isEqualTo(5);
            String a = queueId(log, "a@flush.test");
            String d = queueId(log, "d@flush.test");
            // per-site logs named as Postfix names them; nothing for a site outside fast_flush_domains
            Path flush = ours.spool.resolve("flush");
            assertThat(Files.readAllLines(flush.resolve("flush_test"))).containsExactlyInAnyOrder(a, d);
            assertThat(Files.readAllLines(flush.resolve("etrn_test"))).containsExactly(queueId(log, "b@etrn.test"));
            assertThat(flush.resolve("other_test")).doesNotExist();

            try (SmtpFixture.SmtpSink sink = new SmtpFixture.SmtpSink(tmp.resolve("dumps"), "127.0.0.1", sinkPort)) {
                // a site outside fast_flush_domains is refused as Postfix refuses it
                E2eInstance.Ran refused = ours.run("", E2eInstance.bin("postqueue"), "-s", "other.test");
                assertThat(refused.status()).isEqualTo(69);
                assertThat(refused.err()).contains("postqueue: fatal: Flush service is not configured for destination \"other.test\"");

                E2eInstance.Ran flushed = ours.run("", E2eInstance.bin("postqueue"), "-s", "flush.test");
                assertThat(flushed.status()).as(flushed.err()).isZero();
                log = ours.awaitLog(20, l -> count(l, "status=sent") >= 2);
                assertThat(log).contains(a + ": to=<a@flush.test>").contains(d + ": to=<d@flush.test>");
                assertThat(count(log, "status=sent")).as(log).isEqualTo(2);
                assertThat(Files.size(flush.resolve("flush_test"))).isZero();

                // ETRN through our smtpd flushes the other eligible site
                try (MasterServicesTest.Client c = new MasterServicesTest.Client(ours.port, 5000)) {
                    assertThat(c.read()).startsWith("220 ");
                    c.send("EHLO client.test");
                    String line;
                    do line = c.read(); while (line.startsWith("250-"));
                    c.send("ETRN etrn.test");
                    assertThat(c.read()).isEqualTo("250 Queuing started");
                    c.send("ETRN other.test");
                    assertThat(c.read()).isEqualTo("459 <other.test>: service unavailable");
                    c.send("QUIT");
                }
                log = ours.awaitLog(20, l -> count(l, "status=sent") >= 3);
                assertThat(log).contains("to=<b@etrn.test>, relay=127.0.0.1[127.0.0.1]");
                assertThat(count(log, "status=sent")).as(log).isEqualTo(3);

                // postqueue -i: one message whatever its site
                String c = queueId(log, "c@other.test");
                assertThat(ours.run("", E2eInstance.bin("postqueue"), "-i", c).status()).isZero();
                log = ours.awaitLog(20, l -> count(l, "status=sent") >= 4);
                assertThat(log).contains(c + ": to=<c@other.test>, relay=127.0.0.1[127.0.0.1]");

                // Debian's postqueue speaks the same protocol to our public/flush
                if (Files.isExecutable(Path.of("/usr/sbin/postqueue")) && "root".equals(System.getProperty("user.name"))) {
                    // Debian's postqueue refuses our single-user main.cf (mail_owner = root): a minimal one of its own
                    Path debianEtc = Files.createDirectories(tmp.resolve("debian-etc"));
                    Files.writeString(debianEtc.resolve("main.cf"), "compatibility_level = 3.6\nqueue_directory = " + ours.spool
                            + "\nrelay_domains = flush.test, etrn.test, debian.test\n");
                    E2eInstance.Ran debianRefused = ours.run("", "/usr/sbin/postqueue", "-c", debianEtc.toString(), "-s", "other.test");
                    assertThat(debianRefused.status()).isEqualTo(69);
                    assertThat(debianRefused.err()).contains("Flush service is not configured for destination \"other.test\"");
                    E2eInstance.Ran debian = ours.run("", "/usr/sbin/postqueue", "-c", debianEtc.toString(), "-s", "debian.test");
                    assertThat(debian.status()).as(debian.err()).isZero();
                } else {
                    System.err.println("FastFlushTest: Debian's postqueue not run (needs root and /usr/sbin/postqueue); flushing with ours");
                    assertThat(ours.run("", E2eInstance.bin("postqueue"), "-s", "debian.test").status()).isZero();
                }
                log = ours.awaitLog(20, l -> count(l, "status=sent") >= 5);
                assertThat(log).contains("to=<e@debian.test>, relay=127.0.0.1[127.0.0.1]");
                assertThat(sink.awaitMessages(5)).hasSize(5);
            }
        }
    }

    /** With no flush(8) listening, our postqueue -s/-i say what Debian's says, with the same status. */
    @Test
    void mailSystemDownAsDebiansPostqueue() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/postqueue"))
                && "root".equals(System.getProperty("user.name")), "needs root and Debian's postqueue");
        Path etc = Files.createDirectories(tmp.resolve("etc"));
        Path spool = Files.createDirectories(tmp.resolve("spool"));
        Files.createDirectories(spool.resolve("public"));
        Files.writeString(etc.resolve("main.cf"), "compatibility_level = 3.6\nqueue_directory = " + spool
                + "\nrelay_domains = flush.test\n");
        for (String[] args : new String[][] {{"-s", "flush.test"}, {"-s", "other.test"}, {"-i", "ABCDEF12345"}}) {
            E2eInstance.Ran ours = run(E2eInstance.bin("postqueue"), etc, args);
            E2eInstance.Ran theirs = run("/usr/sbin/postqueue", etc, args);
            assertThat(ours.status()).as(String.join(" ", args)).isEqualTo(theirs.status());
            assertThat(ours.err()).as(String.join(" ", args)).isEqualTo(theirs.err());
        }
    }

    private static E2eInstance.Ran run(String program, Path etc, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(program, "-c", etc.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        p.waitFor();
        return new E2eInstance.Ran(p.exitValue(), out, err);
    }
}
