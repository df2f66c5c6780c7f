package org.posthorn.master;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.posthorn.config.Config;
import org.posthorn.config.ConfigException;
import org.posthorn.config.MasterCf;
import org.posthorn.log.Log;
import org.posthorn.log.LogSetup;
import org.posthorn.queue.SyncPoint;

/**
 * master(8): one JVM that reads main.cf and master.cf, binds every row's endpoint, runs
 * each row's {@link Service} and supervises it. Signals: SIGHUP reloads, SIGTERM and SIGINT
 * stop gracefully (listeners close, running sessions get {@link #DRAIN_MILLIS} to finish).
 *
 * <p>Options: {@code -c dir} (configuration directory), {@code -f} (foreground: also log to
 * standard output, stay in the caller's session), {@code -w} (print "ready" on standard
 * output once every listener is bound, then leave the caller's session, as
 * {@code postfix start} needs).
 */
public final class Master {
    /** How long a stop waits for running sessions before the master exits anyway. */
    static final long DRAIN_MILLIS = 5000;
    private static final String[] CHECKED_TYPES = {"inet", "unix", "fifo"};
    /**
     * Programs whose work Posthorn does inside other services, so their master.cf rows need
     * no runner: postlogd (the master writes maillog_file), tlsmgr (each service's SSLContext
     * holds the TLS session cache its sessions share) and scache (the smtp client's in-process
     * connection cache).
     */
    private static final Set<String> BUILT_IN = Set.of("postlogd", "tlsmgr", "scache");


    private final Path configDir;
    private final boolean foreground;
    private final Log log = Log.of("master");
    private final Seams seams = new Seams();
    private final ReentrantLock lifecycle = new ReentrantLock();
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final List<ServiceRunner> retired = new CopyOnWriteArrayList<>();
    private final Set<String> warnedMissing = new HashSet<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Path queueDirectory;
    private volatile boolean stopping;
    private PidLock pidLock;
    private PidLock dataLock;

    /** A row that runs: its listener and its current generation. */
    private record Row(MasterCf.Service entry, Endpoint endpoint, ServiceRunner runner) {
    }

    /** Startup failed; the message is the Postfix-style text after "fatal: ". */
    public static final class Fatal extends Exception {
        public Fatal(String message) {
            super(message);
        }
    }

    public Master(Path configDir, boolean foreground) {
        this.configDir = configDir.toAbsolutePath().normalize();
        this.foreground = foreground;
    }

    public static void main(String[] args) {
        String dir = null;
        boolean fg = false;
        boolean wait = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-c" -> dir = i + 1 < args.length ? args[++i] : null;
                case "-f" -> fg = true;
                case "-w" -> wait = true;
                default -> {
                    System.err.println("postfix/master: fatal: usage: master [-c config_dir] [-f] [-w]");
                    System.exit(1);
                }
            }
        }
        if (dir == null) dir = System.getenv().getOrDefault("MAIL_CONFIG", "/etc/postfix");
        // start-fg shows the log on stdout; otherwise problems go to stderr until "ready"
        Log.setStderr(!fg);
        Log.setStderrWithTag(true);
        if (wait && !fg) Posix.setsid();
        Master master = new Master(Path.of(dir), fg);
        try {
            master.start();
        } catch (Fatal e) {
            master.log.fatal("%s", e.getMessage());
            if (fg && !Log.hasSinks()) System.err.println(master.log.tag() + ": fatal: " + e.getMessage());
            Log.clearSinks();
            System.exit(1);
        }
        master.installSignals();
        if (wait) {
            System.out.println("ready");
            System.out.flush();
            // the starting command stops listening now: nothing more goes to its pipes
            PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
            System.setOut(nowhere);
            System.setErr(nowhere);
        }
        if (!fg) Log.setStderr(false);
        master.awaitTermination();
        System.exit(0);
    }

    private void installSignals() {
        // as Postfix's master, whatever the starting shell ignored: under nohup a reload must still work
        for (int signal : new int[] {Posix.SIGHUP, Posix.SIGTERM, Posix.SIGINT}) Posix.defaultAction(signal);
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> Thread.ofVirtual().start(this::reload));
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> Thread.ofVirtual().start(() -> stop(15)));
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> Thread.ofVirtual().start(() -> stop(2)));
    }

    /** Reads the configuration, locks the pid file, binds every listener and starts the services. */
    public void start() throws Fatal {
        lifecycle.lock();
        try {
            Config cfg = loadConfig();
            MasterCf table = loadMasterCf(cfg);
            try {
                LogSetup.configure(cfg, foreground);
            } catch (ConfigException | IOException e) {
                throw new Fatal(e.getMessage());
            }
            queueDirectory = Path.of(cfg.get("queue_directory"));
            try {
                QueueTree.create(cfg, null);
            } catch (IOException e) {
                throw new Fatal("unable to create missing queue directories: " + e.getMessage());
            }
            lock(cfg);
            for (MasterCf.Service entry : table.services()) {
                Row row = open(entry, cfg, table.file(), true);
                if (row != null) rows.put(key(entry), row);
            }
            log.info("daemon started -- version %s, configuration %s", version(cfg), configDir);
            SyncPoint.prepare();
            // until every row has begun its first start, a seam lookup waits: smtpd (first in
            // master.cf) may take a connection before cleanup's row has even been started
            seams().starting();
            try {
                for (Row row : rows.values()) {
                    row.runner().start();
                    row.endpoint().serve(row.runner());
                }
            } finally {
                seams().started();
            }
        } catch (Fatal e) {
            closeAll();
            releaseLocks();
            throw e;
        } finally {
            lifecycle.unlock();
        }
    }

    private void lock(Config cfg) throws Fatal {
        Path pid = PidLock.pidFile(queueDirectory);
        try {
            pidLock = PidLock.acquire(pid);
            if (pidLock == null) throw new Fatal("open lock file " + pid + ": unable to set exclusive lock: the Postfix mail system is already running");
            String data = cfg.get("data_directory").strip();
            if (!data.isEmpty()) {
                Path lock = Path.of(data).resolve("master.lock");
                dataLock = PidLock.acquire(lock);
                if (dataLock == null) throw new Fatal("open lock file " + lock + ": unable to set exclusive lock: the Postfix mail system is already running");
            }
        } catch (IOException e) {
            throw new Fatal("open lock file " + pid + ": " + e.getMessage());
        }
    }

    private Config loadConfig() throws Fatal {
        if (!java.nio.file.Files.isRegularFile(configDir.resolve("main.cf"))) {
            throw new Fatal("open " + configDir.resolve("main.cf") + ": No such file or directory");
        }
        try {
            return Config.load(configDir);
        } catch (IOException e) {
            throw new Fatal("open " + configDir.resolve("main.cf") + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new Fatal(e.getMessage());
        }
    }

    private MasterCf loadMasterCf(Config cfg) throws Fatal {
        try {
            MasterCf table = MasterCf.load(configDir);
            List<String> errors = MasterCfCheck.check(table, cfg);
            if (!errors.isEmpty()) throw new Fatal(errors.get(0));
            return table;
        } catch (IOException e) {
            throw new Fatal("open " + configDir.resolve("master.cf") + ": " + e.getMessage());
        } catch (ConfigException e) {
            throw new Fatal(e.getMessage());
        }
    }

    /**
     * Makes the runner of a row and binds its listener. Null for a row this version cannot
     * run (logged once). A bind failure is fatal at startup and a warning at reload.
     */
    private Row open(MasterCf.Service entry, Config cfg, Path file, boolean fatal) throws Fatal {
        if (BUILT_IN.contains(entry.command())) return null;
        Service first;
        try {
            first = ServiceRegistry.create(entry.command());
        } catch (ReflectiveOperationException | RuntimeException e) {
            first = null;
        }
        String key = key(entry);
        if (first == null) {
            if (warnedMissing.add(key + " " + entry.command())) {
                log.warning("%s: line %d: service %s: program \"%s\" is not available in this Posthorn version -- skipped",
                        file, entry.line(), key, entry.command());
            }
            return null;
        }
        if (!List.of(CHECKED_TYPES).contains(entry.type())) {
            if (warnedMissing.add(key + " type")) {
                log.warning("%s: line %d: service %s: type \"%s\" is not supported in this Posthorn version -- skipped",
                        file, entry.line(), key, entry.type());
            }
            return null;
        }
        Config view = view(cfg, entry);
        Endpoint endpoint;
        try {
            endpoint = bind(entry, view, null);
        } catch (IOException | IllegalArgumentException e) {
            if (fatal) throw new Fatal(e.getMessage());
            log.warning("%s", e.getMessage());
            return null;
        }
        return new Row(entry, endpoint, new ServiceRunner(entry, view, first, this, log));
    }

    /** Binds the row's endpoint, or returns {@code reuse} when it already listens on the same addresses. */
    private Endpoint bind(MasterCf.Service entry, Config view, Endpoint reuse) throws IOException {
        if (entry.type().equals("inet")) {
            List<InetSocketAddress> addresses = ListenAddress.resolve(entry.name(),
                    value(view, "inet_interfaces", "all"), value(view, "inet_protocols", "all"));
            if (reuse != null && reuse.sameAddresses(addresses)) return reuse;
            return Endpoint.bindInet(addresses, backlog(entry, view), log);
        }
        Path file = socketPath(entry);
        if (reuse != null && reuse.sameAddresses(List.of(UnixDomainSocketAddress.of(file)))) return reuse;
        return Endpoint.bindUnix(file, backlog(entry, view), log);
    }

    /** The listen queue, as master_listen.c sizes it: maxproc or default_process_limit, the larger. */
    private static int backlog(MasterCf.Service entry, Config view) {
        int limit;
        try {
            limit = view.getInt("default_process_limit");
        } catch (RuntimeException e) {
            limit = 100;
        }
        return Math.max(entry.maxproc(view), limit);
    }

    private Path socketPath(MasterCf.Service entry) {
        return queueDirectory.resolve(entry.isPrivate() ? "private" : "public").resolve(entry.name());
    }

    /** SIGHUP: new configuration for new work, running sessions finish, rows added and removed. */
    public void reload() {
        lifecycle.lock();
        try {
            if (stopping) return;
            Config cfg;
            MasterCf table;
            try {
                cfg = loadConfig();
                table = loadMasterCf(cfg);
                LogSetup.configure(cfg, foreground);
            } catch (Fatal | ConfigException | IOException e) {
                log.warning("reload failed: %s -- keeping the running configuration", e.getMessage());
                return;
            }
            log.info("reload -- version %s, configuration %s", version(cfg), configDir);
            Map<String, Row> next = new LinkedHashMap<>();
            for (MasterCf.Service entry : table.services()) {
                String key = key(entry);
                Row old = rows.remove(key);
                Row row = reopen(entry, cfg, table.file(), old);
                if (row != null) next.put(key, row);
            }
            for (Row gone : rows.values()) {
                gone.endpoint().close();
                retire(gone.runner());
            }
            rows.clear();
            rows.putAll(next);
        } finally {
            lifecycle.unlock();
        }
    }

    private Row reopen(MasterCf.Service entry, Config cfg, Path file, Row old) {
        if (old == null) {
            try {
                Row row = open(entry, cfg, file, false);
                if (row != null) {
                    row.runner().start();
                    row.endpoint().serve(row.runner());
                }
                return row;
            } catch (Fatal e) {
                log.warning("%s", e.getMessage());
                return null;
            }
        }
        Service first;
        try {
            first = ServiceRegistry.create(entry.command());
        } catch (ReflectiveOperationException | RuntimeException e) {
            first = null;
        }
        if (first == null) {
            log.warning("%s: line %d: service %s: program \"%s\" is not available in this Posthorn version -- stopped",
                    file, entry.line(), key(entry), entry.command());
            old.endpoint().close();
            retire(old.runner());
            return null;
        }
        Config view = view(cfg, entry);
        Endpoint endpoint;
        try {
            endpoint = bind(entry, view, old.endpoint());
        } catch (IOException | IllegalArgumentException e) {
            log.warning("%s -- keeping the previous configuration of service %s", e.getMessage(), key(entry));
            return old;
        }
        ServiceRunner runner = new ServiceRunner(entry, view, first, this, log);
        runner.start();
        endpoint.serve(runner);
        if (endpoint != old.endpoint()) old.endpoint().close();
        retire(old.runner());
        return new Row(entry, endpoint, runner);
    }

    private void retire(ServiceRunner runner) {
        runner.retire();
        retired.add(runner);
        retired.removeIf(r -> r.active() == 0);
    }

    /**
     * Graceful stop: logs "terminating on signal N", closes every listener, tells every
     * service to stop and waits up to {@link #DRAIN_MILLIS} for running sessions.
     */
    public void stop(int signal) {
        lifecycle.lock();
        try {
            if (stopping) return;
            stopping = true;
            log.info("terminating on signal %d", signal);
            for (Row row : rows.values()) {
                row.endpoint().close();
                row.runner().retire();
                retired.add(row.runner());
            }
            rows.clear();
        } finally {
            lifecycle.unlock();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
        while (System.nanoTime() < deadline && retired.stream().anyMatch(r -> r.active() > 0)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                break;
            }
        }
        releaseLocks();
        Log.clearSinks();
        terminated.countDown();
    }

    public void awaitTermination() {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeAll() {
        for (Row row : rows.values()) {
            row.endpoint().close();
            row.runner().retire();
        }
        rows.clear();
    }

    private void releaseLocks() {
        for (PidLock l : new PidLock[] {dataLock, pidLock}) {
            if (l == null) continue;
            try {
                l.close();
            } catch (IOException ignored) {
                // the lock goes with the process anyway
            }
        }
        pidLock = null;
        dataLock = null;
    }

    boolean stopping() {
        return stopping;
    }

    Seams seams() {
        return seams;
    }

    Path queueDirectory() {
        return queueDirectory;
    }

    /**
     * A row's configuration: main.cf, the read-only service_name and process_name that
     * Postfix gives each daemon (so "-o syslog_name=postfix/$service_name" works), then the
     * row's -o overrides.
     */
    static Config view(Config cfg, MasterCf.Service entry) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("service_name", entry.name());
        values.put("process_name", entry.command());
        values.putAll(entry.overrides());
        return cfg.withOverrides(values);
    }

    private static String key(MasterCf.Service entry) {
        return entry.name() + "/" + entry.type();
    }

    private static String version(Config cfg) {
        String v = cfg.get("mail_version").strip();
        return v.isEmpty() ? "unknown" : v;
    }

    private static String value(Config config, String name, String fallback) {
        return config.raw(name) == null ? fallback : config.get(name).strip();
    }
}
