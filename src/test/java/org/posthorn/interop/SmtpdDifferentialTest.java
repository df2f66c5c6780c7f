package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.posthorn.smtpd.Dialogue;
import org.posthorn.smtpd.RecordingCleanup;
import org.posthorn.smtpd.TestServer;

/**
 * The differential oracle: every scripted dialogue is played against a real Postfix 3.7.11
 * (started per profile by ../shared/bench/postfix-instance.sh with the same main.cf
 * settings) and against our smtpd, and the reply lines (codes, enhanced codes, texts) must
 * be identical; both must also match the file, so a stale expectation shows up. The smtpd
 * log lines of each session (queue IDs masked) must be identical as well. Skipped,
 * loudly, where no Postfix can be started (not root, no postfix, no instance script).
 */
@Tag("interop")
class SmtpdDifferentialTest {
    private static final Path SCRIPT = Path.of(System.getProperty("posthorn.home", "."))
            .resolve("../shared/bench/postfix-instance.sh").normalize();
    private static final Path SCRIPT_FALLBACK = Path.of("/work/shared/bench/postfix-instance.sh");
    private static final Map<String, Integer> ORACLE_PORTS = new ConcurrentHashMap<>();
    private static final Map<String, Path> ORACLE_DIRS = new ConcurrentHashMap<>();
    private static final List<Path> INSTANCES = new ArrayList<>();
    private static final List<TestServer> SERVERS = new ArrayList<>();
    private static Path base;
    private static Path script;

    @BeforeAll
    static void startOracles() throws Exception {
        script = Files.isExecutable(SCRIPT) || Files.exists(SCRIPT) ? SCRIPT : SCRIPT_FALLBACK;
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean postfix = Files.isExecutable(Path.of("/usr/sbin/postfix"));
        if (!root || !postfix || !Files.exists(script)) {
            System.err.println("SmtpdDifferentialTest SKIPPED: needs root, /usr/sbin/postfix and " + script);
            return;
        }
        base = Files.createTempDirectory(Path.of("/tmp"), "smtpd-oracle");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Thread> starts = new ArrayList<>();
        for (String profile : Dialogue.PROFILES.keySet()) {
            if (!wanted(profile)) continue;
            starts.add(Thread.ofPlatform().start(() -> startOracle(profile)));
        }
        for (Thread t : starts) t.join();
    }

    private static void startOracle(String profile) {
        try {
            int port = freePort();
            Path dir = base.resolve(profile);
            List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), dir.toString(),
                    String.valueOf(port), String.valueOf(freePort()), "start"));
            for (Map.Entry<String, String> e : Dialogue.mainCf(profile).entrySet()) {
                cmd.add(e.getKey() + " = " + e.getValue());
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                System.err.println("oracle " + profile + " did not start: " + out);
                return;
            }
            synchronized (INSTANCES) {
                INSTANCES.add(dir);
            }
            for (int i = 0; i < 100; i++) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    ORACLE_PORTS.put(profile, port);
                    ORACLE_DIRS.put(profile, dir);
                    return;
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("oracle " + profile + ": " + e);
        }
    }

    /** -Dsmtpd.profiles=a,b limits a run to some profiles (while working on them). */
    private static boolean wanted(String profile) {
        String only = System.getProperty("smtpd.profiles", "");
        return only.isEmpty() || List.of(only.split(",")).contains(profile);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @TestFactory
    Stream<DynamicTest> sameRepliesAsPostfix() throws Exception {
        Path spool = Files.createTempDirectory("smtpd-diff");
        return SmtpdDialogueTest.dialogues().stream().filter(d -> wanted(d.profile())).map(d -> DynamicTest.dynamicTest(d.name(), () -> {
            Integer port = ORACLE_PORTS.get(d.profile());
            assumeTrue(port != null, "no Postfix oracle for profile " + d.profile());
            // whether Postfix sees bytes sent before its greeting depends on how fast its smtpd
            // process starts: those files were taken from Postfix and SmtpdDialogueTest checks them
            assumeTrue(!d.pregreet(), "talking before the greeting races with Postfix's process start");
            TestServer server = new TestServer(Dialogue.mainCf(d.profile()), new RecordingCleanup(spool, false),
                    d.pregreet() ? 300 : 0);
            SERVERS.add(server);
            Path maillog = ORACLE_DIRS.get(d.profile()).resolve("maillog");
            int logMark = lines(maillog).size();
            List<List<String>> postfix = d.play("127.0.0.1", port);
            List<List<String>> ours = d.play("127.0.0.1", server.port());
            List<String> postfixLog = sessionLog(() -> {
                List<String> all = lines(maillog);
                return smtpdLines(all.subList(Math.min(logMark, all.size()), all.size()));
            });
            List<String> ourLog = sessionLog(() -> normalise(server.lines()));
            // an oracle whose logger lost the whole session (seen on loaded machines) says nothing either way
            assumeTrue(!postfixLog.isEmpty(), "Postfix's oracle logged nothing for " + d.name());
            assertThat(ourLog).as(d.name() + ": smtpd log lines").isEqualTo(postfixLog);
            assertThat(ours).as(() -> "Posthorn vs Postfix: " + d.firstDifference(postfix, ours)).isEqualTo(postfix);
            assertThat(postfix).as(() -> "Postfix vs the file: " + d.firstDifference(d.expected(), postfix))
                    .isEqualTo(d.expected());
        }));
    }

    static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The smtpd lines of a maillog, without the syslog prefix. */
    static List<String> smtpdLines(List<String> maillog) {
        List<String> out = new ArrayList<>();
        for (String l : maillog) {
            int tag = l.indexOf(" postfix/smtpd[");
            // main.cf lines that override the instance script's defaults make every daemon warn
            if (tag < 0 || l.contains("overriding earlier entry")) continue;
            out.add(l.substring(l.indexOf("]: ", tag) + 3));
        }
        // the start-up probe's own session may be logged late, into the first dialogue's window
        while (out.size() >= 3 && out.get(0).startsWith("connect from ")
                && out.get(1).startsWith("lost connection after CONNECT ") && out.get(2).endsWith(" commands=0/0")) {
            out.subList(0, 3).clear();
        }
        return normalise(out);
    }

    /** Queue IDs become QID. */
    static List<String> normalise(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : new ArrayList<>(lines)) {
            out.add(l.replaceAll("\\b[0-9A-F]{10,12}\\b", "QID"));
        }
        return out;
    }

    /** Polls until the session's disconnect line is there (logging is asynchronous in Postfix). */
    static List<String> sessionLog(java.util.function.Supplier<List<String>> read) throws InterruptedException {
        List<String> got = read.get();
        for (int i = 0; i < 200 && got.stream().noneMatch(l -> l.startsWith("disconnect from")); i++) {
            Thread.sleep(50);
            got = read.get();
        }
        return got;
    }

    /** The oracle's running master, from its pid file. */
    private static java.util.Optional<ProcessHandle> oracleMaster(Path dir) {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve("spool/pid/master.pid")).strip());
            return ProcessHandle.of(pid).filter(p -> p.info().command().map(c -> c.endsWith("/master")).orElse(false));
        } catch (java.io.IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    @AfterAll
    static void stopOracles() throws Exception {
        for (TestServer s : SERVERS) s.close();
        for (Path dir : INSTANCES) {
            java.util.Optional<ProcessHandle> master = oracleMaster(dir);
            // a stop that hangs (postfix-script waiting on its logger) must not hold up the build
            Process stop = new ProcessBuilder("bash", script.toString(), dir.toString(), "0", "0", "stop").inheritIO().start();
            if (!stop.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                stop.descendants().forEach(ProcessHandle::destroy);
                stop.destroy();
            }
            // nor may a master that outlived its stop keep running once its directory is gone
            master.filter(ProcessHandle::isAlive).ifPresent(m -> {
                m.descendants().forEach(ProcessHandle::destroyForcibly);
                m.destroyForcibly();
            });
        }
        if (base != null) {
            new ProcessBuilder("rm", "-rf", base.toString()).start().waitFor();
        }
    }
}
