package org.posthorn.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A whole Posthorn instance started with bin/postfix -c DIR/etc start: every daemon row of
 * Postfix's default master.cf, an smtpd on a free loopback port, queue and maillog in DIR.
 */
final class E2eInstance implements AutoCloseable {
    static final String MASTER_CF = """
            pickup    unix  n       -       n       1       1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            smtp      unix  -       -       n       -       -       smtp
            relay     unix  -       -       n       -       -       smtp
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            local     unix  -       n       n       -       -       local
            virtual   unix  -       n       n       -       -       virtual
            lmtp      unix  -       -       n       -       -       lmtp
            """;

    final Path dir;
    final Path etc;
    final Path spool;
    final int port;

    E2eInstance(Path dir) throws IOException {
        this.dir = dir;
        this.etc = dir.resolve("etc");
        this.spool = dir.resolve("spool");
        this.port = MasterServicesTest.freePort();
    }

    /** Writes main.cf (base settings, then the extra lines, which win) and master.cf (extra rows appended). */
    E2eInstance configure(List<String> mainCf, String... masterRows) throws IOException {
        List<String> main = new ArrayList<>(List.of(
                "compatibility_level = 3.6",
                "myhostname = posthorn.test",
                "mydestination =",
                "inet_protocols = ipv4",
                "mynetworks = 127.0.0.0/8",
                "smtpd_relay_restrictions = permit_mynetworks reject",
                "disable_dns_lookups = yes",
                "smtp_host_lookup = native",
                "alias_maps =",
                "alias_database =",
                "setgid_group = root",
                "minimal_backoff_time = 1s",
                "maximal_backoff_time = 2s",
                "queue_run_delay = 1s",
                "smtp_connect_timeout = 2s"));
        main.addAll(mainCf);
        MasterServicesTest.writeMainCf(dir, main.toArray(String[]::new));
        Files.writeString(etc.resolve("master.cf"), "127.0.0.1:" + port + " inet n - n - - smtpd\n" + MASTER_CF
                + String.join("\n", masterRows) + "\n");
        return this;
    }

    PostfixCommandTest.Result postfix(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(bin("postfix"), "-c", etc.toString()));
        cmd.addAll(List.of(args));
        return PostfixCommandTest.run(cmd, Map.of());
    }

    void start() throws Exception {
        PostfixCommandTest.Result r = postfix("start");
        if (r.status() != 0) throw new AssertionError("postfix start: " + r.err() + r.out());
        MasterServicesTest.Client c = null;
        for (int i = 0; i < 100 && c == null; i++) {
            try {
                c = new MasterServicesTest.Client(port, 2000);
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        if (c == null) throw new AssertionError("smtpd does not listen on " + port);
        c.close();
    }

    static String bin(String name) {
        return PostfixCommandTest.HOME.resolve("bin/" + name).toString();
    }

    /** Runs a command with MAIL_CONFIG pointing here and stdin from a string. */
    Ran run(String stdin, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("MAIL_CONFIG", etc.toString());
        pb.environment().put("POSTHORN_MASTER_OPTS", PostfixCommandTest.masterOpts());
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timeout: " + cmd[0]);
        }
        return new Ran(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** A finished program run. */
    record Ran(int status, String out, String err) {
    }

    String maillog() throws IOException {
        Path log = dir.resolve("maillog");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Waits up to the given seconds for the maillog to satisfy a condition; returns it either way. */
    String awaitLog(int seconds, Predicate<String> done) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String log = maillog();
        while (!done.test(log) && System.nanoTime() < end) {
            Thread.sleep(100);
            log = maillog();
        }
        return log;
    }

    /** The queue files under one queue folder (hashed subfolders included). */
    List<Path> queueFiles(String queue) throws IOException {
        Path q = spool.resolve(queue);
        if (!Files.isDirectory(q)) return List.of();
        try (var s = Files.walk(q)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /** The master's pid from $queue_directory/pid/master.pid. */
    long masterPid() throws IOException {
        return Long.parseLong(Files.readString(spool.resolve("pid/master.pid")).trim());
    }

    void kill9() throws Exception {
        long pid = masterPid();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        for (int i = 0; i < 100 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) Thread.sleep(50);
    }

    @Override
    public void close() throws Exception {
        if (Files.exists(spool.resolve("pid/master.pid"))) {
            try {
                postfix("stop");
            } finally {
                try {
                    ProcessHandle.of(masterPid()).ifPresent(ProcessHandle::destroyForcibly);
                } catch (IOException | NumberFormatException e) {
                    // already gone
                }
            }
        }
    }
}
