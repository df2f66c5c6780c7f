package org.posthorn.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.posthorn.cli.Main;

/**
 * Runs Debian's postconf and Posthorn's postconf on the same configuration directory. Posthorn
 * runs in this JVM (fast, for the bulk of the comparisons) or through bin/postconf (the real
 * launcher). Standard error is compared as a set of lines: Postfix prints some warnings in
 * hash-table order and some twice.
 */
final class PostconfRunner {
    static final Path DEBIAN = Path.of("/usr/sbin/postconf");

    record Result(String out, String err, int status) {
        /** Standard error as a sorted set of distinct lines, the directory name replaced by DIR. */
        TreeSet<String> errLines(Path dir) {
            TreeSet<String> s = new TreeSet<>();
            for (String l : err.split("\n")) {
                // which parameter of a loop hits the nesting limit depends on Postfix's hash order
                if (!l.isEmpty()) s.add(l.replace(dir.toString(), "DIR").replaceAll("nesting: \"[^\"]*\"", "nesting: NAME"));
            }
            return s;
        }

        /**
         * Standard output without what must differ: process_id, and the version (mail_version
         * is Posthorn's own, so "$mail_name $mail_version" expands differently too).
         */
        String comparableOut(String version) {
            StringBuilder sb = new StringBuilder();
            for (String l : out.split("\n", -1)) {
                if (l.startsWith("process_id =")) continue;
                // defaults Posthorn changes on purpose (posthorn-parameters.tsv)
                if (l.startsWith("smtpd_forbid_bare_newline =") || l.startsWith("smtpd_forbid_unauth_pipelining =")) continue;
                // parameters only Posthorn has (posthorn_sasl_password_maps ...)
                if (l.startsWith("posthorn_")) continue;
                sb.append(l.replace(version, "VERSION")).append('\n');
            }
            return sb.toString();
        }
    }

    private PostconfRunner() {
    }

    static boolean debianAvailable() {
        return Files.isExecutable(DEBIAN);
    }

    static Result debian(Path dir, String... args) throws IOException, InterruptedException {
        // by its bare name, as users run it: Postfix prefixes its messages with argv[0]
        List<String> cmd = new ArrayList<>(List.of("postconf", "-c", dir.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    /** One postconf command line on one directory. */
    record Case(Path dir, List<String> args) {
    }

    /**
     * Debian's results for many cases, run a few at a time: Postfix sleeps a second before it
     * exits on a fatal error, so the error cases would otherwise take most of the test time.
     */
    static List<Result> debianAll(List<Case> cases) throws InterruptedException {
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<Result>> futures = new ArrayList<>();
            for (Case c : cases) futures.add(pool.submit(() -> debian(c.dir(), c.args().toArray(String[]::new))));
            List<Result> out = new ArrayList<>();
            for (var f : futures) {
                try {
                    out.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new AssertionError("running Debian's postconf failed", e.getCause());
                }
            }
            return out;
        }
    }

    static Result launcher(Path dir, String... args) throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("posthorn.home", "."));
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/postconf").toString(), "-c", dir.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    /** Posthorn's postconf in this JVM, through the same entry point as bin/postconf. */
    static Result posthorn(Path dir, String... args) {
        STDIO.lock();
        try {
            return posthornLocked(dir, args);
        } finally {
            STDIO.unlock();
        }
    }

    /** System.out and System.err are swapped for the run: one run at a time. */
    private static final java.util.concurrent.locks.ReentrantLock STDIO = new java.util.concurrent.locks.ReentrantLock();

    private static Result posthornLocked(Path dir, String... args) {
        // a command prints its warnings on stderr; daemon tests in this JVM may have turned that off
        org.posthorn.log.Log.setStderr(true);
        String[] argv = new String[args.length + 3];
        argv[0] = "postconf";
        argv[1] = "-c";
        argv[2] = dir.toString();
        System.arraycopy(args, 0, argv, 3, args.length);
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            status = Main.run(argv);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), status);
    }

    /** A command with MAIL_CONFIG set instead of -c. */
    static Result withMailConfig(Path dir, String... cmd) throws IOException, InterruptedException {
        return exec(List.of(cmd), dir);
    }

    private static Result exec(List<String> cmd) throws IOException, InterruptedException {
        return exec(cmd, null);
    }

    private static Result exec(List<String> cmd, Path mailConfig) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("MAIL_CONFIG");
        if (mailConfig != null) pb.environment().put("MAIL_CONFIG", mailConfig.toString());
        pb.environment().put("PATH", DEBIAN.getParent() + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        Path errFile = Files.createTempFile("postconf", ".err");
        pb.redirectError(errFile.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        String err = Files.readString(errFile);
        Files.delete(errFile);
        return new Result(out, err, p.exitValue());
    }
}
