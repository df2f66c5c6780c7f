package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/postfix -c DIR start|status|reload|stop|check|flush|start-fg on fresh temp directories, with test services. */
@Tag("interop")
class PostfixCommandTest {
    /** A maillog_file line as Postfix's postlogd writes it. */
    static final Pattern LINE = Pattern.compile("[A-Z][a-z]{2} \\d{2} \\d{2}:\\d{2}:\\d{2} mx postfix/[a-z/-]+\\[\\d+\\]: .+");
    static final Path HOME = Path.of(System.getProperty("posthorn.home", ".")).toAbsolutePath();

    @TempDir
    Path dir;
    private Path etc;
    private int port;

    record Result(int status, String out, String err, long millis) {
    }

    @BeforeEach
    void instance() throws IOException {
        etc = dir.resolve("etc");
        port = MasterServicesTest.freePort();
        MasterServicesTest.writeMainCf(dir, "test_greeting = hello", "test_trigger_log = " + dir.resolve("triggers"));
        masterCf("127.0.0.1:" + port + " inet n - n - - echo -o test_greeting=one",
                "qmgr unix n - n 300 1 trig",
                "dnsblog unix - - n - 0 dnsblog",
                "tlsmgr unix - - n 1000? 1 tlsmgr",
                "scache unix - - n - 1 scache");
    }

    @AfterEach
    void abortLeftovers() throws Exception {
        Path pid = dir.resolve("spool/pid/master.pid");
        if (Files.exists(pid)) postfix("abort");
    }

    private void masterCf(String... rows) throws IOException {
        Files.writeString(etc.resolve("master.cf"), String.join("\n", rows) + "\n");
    }

    private Result postfix(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("bin/postfix").toString(), "-c", etc.toString()));
        cmd.addAll(List.of(args));
        return run(cmd, Map.of());
    }

    static Result run(List<String> cmd, Map<String, String> extraEnv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("MAIL_CONFIG");
        pb.environment().put("POSTHORN_MASTER_OPTS", masterOpts());
        pb.environment().putAll(extraEnv);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        long t0 = System.nanoTime();
        Process p = pb.start();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8), ms);
    }

    /** The master JVM gets the test classes and the test programs. */
    static String masterOpts() {
        Path target = HOME.resolve("target");
        return "-cp " + target.resolve("posthorn.jar") + File.pathSeparator + target.resolve("lib/*") + File.pathSeparator
                + target.resolve("test-classes")
                + " -Dposthorn.service.echo=" + EchoTestService.class.getName()
                + " -Dposthorn.service.trig=" + TriggerTestService.class.getName();
    }

    private String greeting() throws IOException {
        try (MasterServicesTest.Client c = new MasterServicesTest.Client(port, 5000)) {
            return c.read();
        }
    }

    private String maillog() throws IOException {
        return Files.readString(dir.resolve("maillog"));
    }

    @Test
    void startStatusReloadStopCycle() throws Exception {
        Result start = postfix("start");
        assertThat(start.status()).as(start.err()).isZero();
        assertThat(start.err()).startsWith("postfix/postfix-script: starting the Postfix mail system\n");
        assertThat(greeting()).isEqualTo("220 one");

        String pidText = Files.readString(dir.resolve("spool/pid/master.pid"));
        assertThat(pidText).hasSize(33).matches(" +\\d+\\n");
        long pid = Long.parseLong(pidText.strip());
        assertThat(ProcessHandle.of(pid)).isPresent();
        assertThat(Files.exists(dir.resolve("data/master.lock"))).isTrue();

        Result status = postfix("status");
        assertThat(status.status()).isZero();
        assertThat(status.err()).isEqualTo("postfix/postfix-script: the Postfix mail system is running: PID: " + pid + "\n");

        Result again = postfix("start");
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("postfix/postfix-script: fatal: the Postfix mail system is already running\n");

        masterCf("127.0.0.1:" + port + " inet n - n - - echo -o test_greeting=two",
                "qmgr unix n - n 300 1 trig");
        Result reload = postfix("reload");
        assertThat(reload.status()).isZero();
        assertThat(reload.err()).isEqualTo("postfix/postfix-script: refreshing the Postfix mail system\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String g;
        while (!(g = greeting()).equals("220 two") && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(g).isEqualTo("220 two");

        Result flush = postfix("flush");
        assertThat(flush.status()).as(flush.err()).isZero();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(dir.resolve("triggers")) && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(Files.readString(dir.resolve("triggers"))).isEqualTo("qmgr:FADI\n");

        Result stop = postfix("stop");
        assertThat(stop.status()).isZero();
        assertThat(stop.err()).isEqualTo("postfix/postfix-script: stopping the Postfix mail system\n");
        assertThat(org.posthorn.master.MasterControl.alive(pid)).isFalse();
        System.out.printf("postfix start: %d ms, stop: %d ms%n", start.millis(), stop.millis());

        Result down = postfix("status");
        assertThat(down.status()).isEqualTo(1);
        assertThat(down.err()).isEqualTo("postfix/postfix-script: the Postfix mail system is not running\n");
        assertThat(postfix("stop").err()).isEqualTo("postfix/postfix-script: fatal: the Postfix mail system is not running\n");
        Result flushDown = postfix("flush");
        assertThat(flushDown.status()).isEqualTo(69);
        assertThat(flushDown.err()).isEqualTo("postqueue: fatal: Cannot flush mail queue - mail system is down\n");

        List<String> lines = Files.readAllLines(dir.resolve("maillog"));
        assertThat(lines).allSatisfy(l -> assertThat(l).matches(LINE));
        String log = maillog();
        assertThat(log).containsPattern("mx postfix/postfix-script\\[\\d+\\]: starting the Postfix mail system\n");
        assertThat(log).contains("mx postfix/master[" + pid + "]: daemon started -- version ");
        assertThat(log).contains("mx postfix/master[" + pid + "]: reload -- version ");
        assertThat(log).contains("mx postfix/master[" + pid + "]: terminating on signal 15\n");
        assertThat(log).contains("mx postfix/master[" + pid + "]: warning: " + etc.resolve("master.cf")
                + ": line 3: service dnsblog/unix: program \"dnsblog\" is not available in this Posthorn version -- skipped\n");
        // tlsmgr and scache do their work inside other services: their rows are accepted silently
        assertThat(log).doesNotContain("\"tlsmgr\"").doesNotContain("\"scache\"");
        assertThat(log).containsPattern("mx postfix/echo\\[" + pid + "\\]: connect from test\n");
    }

    @Test
    void aMasterStartedUnderNohupStillReloadsOnHup() throws Exception {
        // nohup leaves SIGHUP ignored, and a JVM keeps a signal ignored at its start ignored
        List<String> cmd = new ArrayList<>(List.of("nohup", HOME.resolve("bin/postfix").toString(), "-c", etc.toString(), "start"));
        Result start = run(cmd, Map.of());
        assertThat(start.status()).as(start.err()).isZero();
        assertThat(greeting()).isEqualTo("220 one");
        masterCf("127.0.0.1:" + port + " inet n - n - - echo -o test_greeting=two");
        assertThat(postfix("reload").status()).isZero();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String g;
        while (!(g = greeting()).equals("220 two") && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(g).isEqualTo("220 two");
        assertThat(postfix("stop").status()).isZero();
    }

    @Test
    void logrotateRenamesCompressesAndTheMasterReopens() throws Exception {
        assertThat(postfix("start").status()).isZero();
        assertThat(greeting()).isEqualTo("220 one");
        Result rotate = postfix("logrotate");
        assertThat(rotate.status()).as(rotate.err()).isZero();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anySatisfy(n -> assertThat(n).matches("maillog\\.\\d{8}-\\d{6}\\.gz"));
        }
        assertThat(greeting()).isEqualTo("220 one");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(dir.resolve("maillog")) && maillog().contains("connect from test"))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(maillog()).contains("postfix/master[").contains("reload -- version").contains("connect from test");
        assertThat(postfix("stop").status()).isZero();
    }

    @Test
    void aBadMainCfLineIsReportedWithFileAndLine() throws Exception {
        Files.writeString(etc.resolve("main.cf"), "bogus\n", java.nio.file.StandardOpenOption.APPEND);
        Result check = postfix("check");
        assertThat(check.status()).isEqualTo(1);
        assertThat(check.err()).isEqualTo("postfix/postfix-script: fatal: " + etc.resolve("main.cf")
                + ", line 10: missing '=' after attribute name: \"bogus\"\n");
    }

    @Test
    void aMissingMainCfIsFatalAsWithPostfix() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Result r = run(List.of(HOME.resolve("bin/postfix").toString(), "-c", empty.toString(), "status"), Map.of());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("postfix: fatal: open " + empty.resolve("main.cf") + ": No such file or directory\n");
    }

    @Test
    void aMaillogFileOutsideThePrefixesIsFatalInPostfixWords() throws Exception {
        Files.writeString(etc.resolve("main.cf"), "maillog_file = /tmp/elsewhere.log\n", java.nio.file.StandardOpenOption.APPEND);
        Result r = postfix("start");
        assertThat(r.status()).isEqualTo(1);
        // Debian's postfix prints the same line for the same main.cf
        assertThat(r.err()).isEqualTo("postfix: fatal: maillog_file value '/tmp/elsewhere.log' does not match any prefix in maillog_file_prefixes\n");
    }

    @Test
    void aStalePidFileIsIgnored() throws Exception {
        Files.createDirectories(dir.resolve("spool/pid"));
        Files.writeString(dir.resolve("spool/pid/master.pid"), String.format("%32d\n", 999_999));
        Result status = postfix("status");
        assertThat(status.status()).isEqualTo(1);
        assertThat(status.err()).contains("the Postfix mail system is not running");
        Result start = postfix("start");
        assertThat(start.status()).as(start.err()).isZero();
        assertThat(greeting()).isEqualTo("220 one");
        Result abort = postfix("abort");
        assertThat(abort.status()).isZero();
        assertThat(abort.err()).isEqualTo("postfix/postfix-script: aborting the Postfix mail system\n");
        assertThat(postfix("status").status()).isEqualTo(1);
        // the pid file a killed master leaves is stale: the next start works
        assertThat(postfix("start").status()).isZero();
        assertThat(greeting()).isEqualTo("220 one");
        assertThat(postfix("stop").status()).isZero();
    }

    @Test
    void startFailsWithTheMastersErrorWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.setReuseAddress(true);
            taken.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            Result start = postfix("start");
            assertThat(start.status()).isEqualTo(1);
            assertThat(start.err()).contains("postfix/master: fatal: bind 127.0.0.1 port " + port + ": Address already in use\n");
            assertThat(start.err()).endsWith("postfix/postfix-script: fatal: mail system startup failed\n");
        }
        assertThat(postfix("status").status()).isEqualTo(1);
        assertThat(maillog()).containsPattern("mx postfix/master\\[\\d+\\]: fatal: bind 127.0.0.1 port " + port);
    }

    @Test
    void checkCreatesTheQueueTreeAndReportsABadMasterCfWithFileAndLine() throws Exception {
        Result check = postfix("check");
        assertThat(check.status()).as(check.err()).isZero();
        for (String d : List.of("active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming",
                "maildrop", "pid", "private", "public", "saved", "trace")) {
            assertThat(dir.resolve("spool").resolve(d)).isDirectory();
        }
        masterCf("127.0.0.1:" + port + " inet n - n - - echo", "# comment", "foo bar n - n - - echo");
        Result bad = postfix("check");
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("postfix/postfix-script: fatal: file " + etc.resolve("master.cf")
                + ": line 3: invalid type field \"bar\"\n");
        Result start = postfix("start");
        assertThat(start.status()).isEqualTo(1);
        assertThat(start.err()).doesNotContain("starting the Postfix mail system");
        masterCf("127.0.0.1:" + port + " inet n - n -", "foo unix n - n - - echo");
        Result short1 = postfix("check");
        assertThat(short1.status()).isEqualTo(1);
        assertThat(short1.err()).contains(etc.resolve("master.cf").toString()).contains("line 1").contains("bad field count");
    }

    @Test
    void maillogLinesHaveTheShapeOfDebianPostlogsLines() throws Exception {
        Path postlog = Path.of("/usr/sbin/postlog");
        Assumptions.assumeTrue(Files.isExecutable(postlog), "Debian's postlog is not installed");
        // Postfix refuses mail_owner = root; the default (postfix) is what it wants here
        Path mainCf = etc.resolve("main.cf");
        Files.writeString(mainCf, Files.readString(mainCf).replaceAll("(?m)^mail_owner = .*\n", ""));
        assertThat(postfix("status").status()).isEqualTo(1);
        Result theirs = run(List.of(postlog.toString(), "-c", etc.toString(), "-t", "postfix/postfix-script",
                "the Postfix mail system is not running"), Map.of());
        assertThat(theirs.status()).as(theirs.err()).isZero();
        List<String> lines = Files.readAllLines(dir.resolve("maillog"));
        assertThat(lines).hasSize(2);
        String mask = "^[A-Z][a-z]{2} \\d{2} \\d{2}:\\d{2}:\\d{2} (.*)\\[\\d+\\]: ";
        assertThat(lines.get(0).replaceAll(mask, "STAMP $1[PID]: "))
                .isEqualTo(lines.get(1).replaceAll(mask, "STAMP $1[PID]: "))
                .isEqualTo("STAMP mx postfix/postfix-script[PID]: the Postfix mail system is not running");
    }

    @Test
    void startFgRunsInTheForegroundAndLogsToStdout() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(HOME.resolve("bin/postfix").toString(), "-c", etc.toString(), "start-fg");
        pb.environment().remove("MAIL_CONFIG");
        pb.environment().put("POSTHORN_MASTER_OPTS", masterOpts());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.add(line);
                if (line.contains("daemon started")) {
                    assertThat(greeting()).isEqualTo("220 one");
                    Result status = postfix("status");
                    assertThat(status.status()).isZero();
                    p.toHandle().destroy(); // SIGTERM, keeping our end of the pipe open
                }
            }
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out).anySatisfy(l -> assertThat(l).matches(LINE).contains("postfix/master[").endsWith("terminating on signal 15"));
        assertThat(out).anySatisfy(l -> assertThat(l).matches(LINE).endsWith("connect from test"));
        assertThat(postfix("status").status()).isEqualTo(1);
    }
}
