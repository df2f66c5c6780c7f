package org.posthorn.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.posthorn.config.Config;
import org.posthorn.config.ConfigException;
import org.posthorn.config.Instance;
import org.posthorn.config.ConfigSyntaxException;
import org.posthorn.config.MainCf;
import org.posthorn.config.MasterCf;
import org.posthorn.log.Log;
import org.posthorn.log.LogSetup;
import org.posthorn.master.MasterCfCheck;
import org.posthorn.master.MasterControl;
import org.posthorn.master.PublicSocket;
import org.posthorn.master.QueueTree;

/**
 * postfix(1): start, start-fg, stop, abort, reload, status, check and flush of the mail
 * system of one configuration directory (-c dir, MAIL_CONFIG, or the checkout's default
 * instance). Messages keep the words and the tag of Postfix's postfix-script, on stderr and
 * in the log, so that scripts grepping them keep working.
 */
public final class Postfix implements Command {
    private static final String USAGE = "Usage: postfix start (or stop, reload, abort, flush, check, status, "
            + "set-permissions, upgrade-configuration, logrotate)";
    /** How long stop waits for the master before killing it (the master drains for 5 s). */
    private static final long STOP_WAIT_MILLIS = 10_000;
    /** How long start waits for the master to report its listeners bound. */
    private static final long START_WAIT_SECONDS = 120;

    private final Log script = Log.echoing("postfix-script");
    private Path configDir;
    private Config config;
    private Path queueDirectory;

    @Override
    public int run(String[] args) throws Exception {
        Getopt options = new Getopt("postfix", args, "c:Dv");
        String dir = null;
        for (int c; (c = options.next()) != -1; ) {
            if (c == 'c') dir = options.optarg();
            // -D (debugger) and -v (verbose) are accepted and passed over, as for daemons
        }
        String[] operands = options.operands();
        configDir = Instance.configDir(dir);
        if (!java.nio.file.Files.isRegularFile(configDir.resolve("main.cf"))) {
            throw new CommandFailure("open " + configDir.resolve("main.cf") + ": No such file or directory");
        }
        try {
            config = Config.load(configDir);
        } catch (org.posthorn.config.ConfigSyntaxException e) {
            // the parser now stops at a bad main.cf line: report it as postfix check does
            script.fatal("%s", e.getMessage());
            return 1;
        } catch (IOException e) {
            throw new CommandFailure("open " + configDir.resolve("main.cf") + ": " + e.getMessage());
        }
        try {
            LogSetup.configure(config, false);
        } catch (ConfigException e) {
            throw new CommandFailure(e.getMessage());
        }
        queueDirectory = Path.of(config.get("queue_directory"));
        String command = operands.length == 0 ? "" : operands[0];
        try {
            return switch (command) {
                case "start" -> start(false);
                case "start-fg" -> start(true);
                case "stop" -> stop();
                case "abort" -> abort();
                case "reload" -> reload();
                case "status" -> status();
                case "check" -> check();
                case "flush" -> flush();
                case "logrotate" -> operands.length == 1 ? logrotate() : usageFatal(command);
                case "set-permissions", "upgrade-configuration" -> {
                    script.fatal("postfix %s is not available in this Posthorn version", command);
                    yield 1;
                }
                default -> {
                    script.fatal("unknown command: '%s'. %s", command, USAGE);
                    yield 1;
                }
            };
        } finally {
            Log.clearSinks();
        }
    }

    /** check: master.cf and main.cf errors with file and line, then the queue tree (made where missing). */
    private int check() throws IOException {
        Path mainCf = configDir.resolve("main.cf");
        try {
            MainCf.read(mainCf, mainCf.toString());
        } catch (ConfigSyntaxException e) {
            script.fatal("%s", e.getMessage());
            return 1;
        }
        MasterCf table;
        try {
            table = MasterCf.load(configDir);
        } catch (ConfigException e) {
            script.fatal("%s", e.getMessage());
            return 1;
        } catch (IOException e) {
            script.fatal("no %s file found", configDir.resolve("master.cf"));
            return 1;
        }
        List<String> errors = MasterCfCheck.check(table, config);
        for (String error : errors) script.fatal("%s", error);
        if (!errors.isEmpty()) return 1;
        if (config.get("queue_directory").isBlank()) {
            script.fatal("no Postfix queue directory!");
            return 1;
        }
        List<String> warnings = new ArrayList<>();
        try {
            QueueTree.create(config, warnings);
        } catch (IOException e) {
            script.fatal("unable to create missing queue directories: %s", e.getMessage());
            return 1;
        }
        for (String w : warnings) script.warning("%s", w);
        return 0;
    }

    private int start(boolean foreground) throws IOException, InterruptedException {
        if (running().isPresent()) {
            script.fatal("the Postfix mail system is already running");
            return 1;
        }
        if (check() != 0) return 1;
        script.info("starting the Postfix mail system");
        if (foreground) return startForeground();
        // the master works in the queue directory, as Postfix's does
        Process master = new ProcessBuilder(MasterControl.command(configDir, "-w"))
                .directory(queueDirectory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Thread errors = Thread.ofPlatform().daemon().start(() -> copy(master, System.err));
        CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> awaitReady(master), r -> Thread.ofPlatform().daemon().start(r));
        boolean ok;
        try {
            ok = ready.get(START_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            master.destroyForcibly();
            ok = false;
        }
        if (ok) return 0;
        master.waitFor(5, TimeUnit.SECONDS);
        errors.join(2000);
        script.fatal("mail system startup failed");
        return 1;
    }

    /** The master prints "ready" once every listener is bound; EOF means it gave up. */
    private static boolean awaitReady(Process master) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(master.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.equals("ready")) return true;
            }
        } catch (IOException e) {
            // the master went away
        }
        return false;
    }

    private static void copy(Process master, java.io.PrintStream to) {
        try (BufferedReader err = new BufferedReader(new InputStreamReader(master.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = err.readLine()) != null; ) to.println(line);
        } catch (IOException e) {
            // the master closed its stderr
        }
    }

    /** start-fg: the master in the foreground, its log also on stdout; our SIGTERM is passed on. */
    private int startForeground() throws IOException, InterruptedException {
        Process master = new ProcessBuilder(MasterControl.command(configDir, "-f"))
                .directory(queueDirectory.toFile()).inheritIO().start();
        Thread relay = new Thread(() -> {
            if (!master.isAlive()) return;
            master.destroy();
            try {
                master.waitFor(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(relay);
        int status = master.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(relay);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running already
        }
        return status;
    }

    private int stop() throws IOException, InterruptedException {
        OptionalLong pid = runningOrFatal();
        if (pid.isEmpty()) return 1;
        script.info("stopping the Postfix mail system");
        MasterControl.stop(pid.getAsLong());
        long start = System.nanoTime();
        long nextNotice = 1000;
        // done when the lock is free and the process is gone
        while (running().isPresent() || MasterControl.alive(pid.getAsLong())) {
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (waited >= STOP_WAIT_MILLIS) {
                script.warning("stopping the Postfix mail system with force");
                MasterControl.abort(pid.getAsLong());
                return 0;
            }
            if (waited >= nextNotice) {
                script.info("waiting for the Postfix mail system to terminate");
                nextNotice += 1000;
            }
            Thread.sleep(20);
        }
        return 0;
    }

    private int abort() throws IOException, InterruptedException {
        OptionalLong pid = runningOrFatal();
        if (pid.isEmpty()) return 1;
        script.info("aborting the Postfix mail system");
        MasterControl.abort(pid.getAsLong());
        for (int i = 0; i < 100 && running().isPresent(); i++) Thread.sleep(20);
        return 0;
    }

    private int reload() throws IOException {
        OptionalLong pid = runningOrFatal();
        if (pid.isEmpty()) return 1;
        script.info("refreshing the Postfix mail system");
        if (!MasterControl.reload(pid.getAsLong())) {
            script.fatal("cannot signal the master process %d", pid.getAsLong());
            return 1;
        }
        return 0;
    }

    private int status() throws IOException {
        OptionalLong pid = running();
        if (pid.isEmpty()) {
            script.info("the Postfix mail system is not running");
            return 1;
        }
        script.info("the Postfix mail system is running: PID: %d", pid.getAsLong());
        return 0;
    }

    /** As postqueue -f: qmgr's trigger bytes F A D I. */
    private int flush() {
        if (!PublicSocket.trigger(queueDirectory, "qmgr", PublicSocket.FLUSH_DEFERRED)) {
            Log.of("postqueue").fatal("Cannot flush mail queue - mail system is down");
            return CommandFailure.EX_UNAVAILABLE;
        }
        return 0;
    }

    private int usageFatal(String command) {
        script.fatal("usage postfix %s (no arguments)", command);
        return 1;
    }

    /**
     * logrotate: renames maillog_file with the maillog_file_rotate_suffix time stamp, has a
     * running master reopen it (SIGHUP), then compresses the old file with
     * maillog_file_compressor, as Postfix's postfix-script does.
     */
    private int logrotate() throws IOException, InterruptedException {
        String file = config.get("maillog_file").strip();
        String suffix = parameter("maillog_file_rotate_suffix", "%Y%m%d-%H%M%S");
        String compressor = parameter("maillog_file_compressor", "gzip");
        for (String[] p : new String[][] {{"maillog_file", file}, {"maillog_file_rotate_suffix", suffix},
                {"maillog_file_compressor", compressor}}) {
            if (p[1].isEmpty()) {
                script.fatal("empty '%s' parameter value - logfile rotation failed", p[0]);
                return 1;
            }
        }
        if (file.startsWith("/dev/")) {
            script.fatal("not rotating '%s'", file);
            return 1;
        }
        Path log = Path.of(file);
        Path rotated = Path.of(file + "." + strftime(suffix, java.time.LocalDateTime.now()));
        Log.clearSinks(); // our own writer must not keep the old file
        try {
            java.nio.file.Files.move(log, rotated);
            OptionalLong pid = running();
            if (pid.isPresent() && !MasterControl.reload(pid.getAsLong())) throw new IOException("cannot signal the master");
            Thread.sleep(1000);
            Process zip = new ProcessBuilder(compressor, rotated.toString()).redirectErrorStream(true).start();
            String out = new String(zip.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (zip.waitFor() != 0) throw new IOException(out.isEmpty() ? compressor + " failed" : out);
        } catch (IOException e) {
            configureLogQuietly();
            script.fatal("logfile '%s' rotation failed: %s", file, e.getMessage());
            return 1;
        }
        configureLogQuietly();
        return 0;
    }

    private void configureLogQuietly() {
        try {
            LogSetup.configure(config, false);
        } catch (ConfigException | IOException e) {
            // checked at the start of the command
        }
    }

    private String parameter(String name, String fallback) {
        return config.raw(name) == null ? fallback : config.get(name).strip();
    }

    /** The strftime conversions maillog_file_rotate_suffix uses. */
    static String strftime(String format, java.time.LocalDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char k = format.charAt(++i);
            switch (k) {
                case 'Y' -> out.append(String.format("%04d", t.getYear()));
                case 'm' -> out.append(String.format("%02d", t.getMonthValue()));
                case 'd' -> out.append(String.format("%02d", t.getDayOfMonth()));
                case 'H' -> out.append(String.format("%02d", t.getHour()));
                case 'M' -> out.append(String.format("%02d", t.getMinute()));
                case 'S' -> out.append(String.format("%02d", t.getSecond()));
                case 's' -> out.append(t.atZone(java.time.ZoneId.systemDefault()).toEpochSecond());
                case '%' -> out.append('%');
                default -> out.append('%').append(k);
            }
        }
        return out.toString();
    }

    /** The master's pid; empty after saying, as Postfix does, that none runs. */
    private OptionalLong runningOrFatal() throws IOException {
        OptionalLong pid = running();
        if (pid.isEmpty()) script.fatal("the Postfix mail system is not running");
        return pid;
    }

    private OptionalLong running() throws IOException {
        return MasterControl.running(queueDirectory);
    }
}
