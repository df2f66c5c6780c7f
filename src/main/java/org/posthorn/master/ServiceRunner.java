package org.posthorn.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.posthorn.config.Config;
import org.posthorn.config.MasterCf;
import org.posthorn.log.Log;

/**
 * One generation of one master.cf row: its Service instance, its configuration view and
 * log, the maxproc limit, the wakeup timer and the queue of triggers. A failing instance is
 * replaced by a fresh one with a back-off (1, 2, 4 ... seconds up to service_throttle_time)
 * while the listener waits; a reload retires the generation: it takes no new work and its
 * running sessions finish.
 */
final class ServiceRunner {
    /** A wakeup in the trigger queue. */
    private static final byte[] WAKEUP = new byte[0];
    private static final int MAX_TRIGGER = 1024;
    private static final long TRIGGER_READ_MILLIS = 5000;
    private static final long DEFAULT_THROTTLE_SECONDS = 60;
    /** How long a seam lookup waits for services still in their first start. */
    private static final long SEAM_WAIT_MILLIS = 5000;

    final MasterCf.Service row;
    final Config config;
    final Log log;
    private final Log masterLog;
    private final Master master;
    private final String program;
    private final Semaphore permits;
    private final AtomicReference<Service> current = new AtomicReference<>();
    private final AtomicInteger active = new AtomicInteger();
    private final ArrayBlockingQueue<byte[]> events = new ArrayBlockingQueue<>(64);
    private final List<Map.Entry<Class<?>, Object>> registered = new CopyOnWriteArrayList<>();
    private final long throttleSeconds;
    private final Context context = new Context();
    private final java.util.concurrent.atomic.AtomicBoolean firstStartPending = new java.util.concurrent.atomic.AtomicBoolean(true);
    private volatile boolean retired;
    private volatile boolean used;
    private volatile Thread timer;
    private final ReentrantLock failureLock = new ReentrantLock();
    private int failures;
    private long lastFailure;

    private final Service first;

    ServiceRunner(MasterCf.Service row, Config config, Service first, Master master, Log masterLog) {
        this.row = row;
        this.first = first;
        this.config = config;
        this.master = master;
        this.masterLog = masterLog;
        this.program = row.command();
        String name = config.get("syslog_name").strip();
        this.log = Log.of(name.isEmpty() ? "postfix" : name, program);
        int maxproc = row.maxproc(config);
        this.permits = maxproc > 0 ? new Semaphore(maxproc) : null;
        long throttle;
        try {
            throttle = config.raw("service_throttle_time") == null ? DEFAULT_THROTTLE_SECONDS : config.getTime("service_throttle_time");
        } catch (RuntimeException e) {
            throttle = DEFAULT_THROTTLE_SECONDS;
        }
        this.throttleSeconds = Math.max(1, throttle);
    }

    String describe() {
        return row.name() + "/" + row.type();
    }

    /** Starts the first instance, the trigger worker and the wakeup timer. */
    void start() {
        master.seams().starting();
        Thread.ofVirtual().name("start " + describe()).start(() -> {
            try {
                launch(first, 0);
            } finally {
                firstStartDone();
            }
        });
        Thread.ofVirtual().name("events " + describe()).start(this::events);
        int wakeup = row.wakeupSeconds();
        if (wakeup > 0) timer = Thread.ofVirtual().name("wakeup " + describe()).start(() -> wakeups(wakeup));
    }

    private void launch(Service instance, long delaySeconds) {
        Service s = instance;
        long delay = delaySeconds;
        while (!retired && !master.stopping()) {
            try {
                if (delay > 0) Thread.sleep(TimeUnit.SECONDS.toMillis(delay));
                if (retired || master.stopping()) return;
                if (s == null) s = ServiceRegistry.create(program);
                if (s == null) throw new IllegalStateException("program " + program + " is no longer available");
                try {
                    s.start(context);
                } finally {
                    firstStartDone();
                }
                current.set(s);
                if (retired || master.stopping()) s.stop(); // retired while it was starting
                return;
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                report(s, "start", t);
                if (s != null) s.stop();
                s = null;
                delay = Math.max(1, backoff());
                masterLog.warning("%s: bad command startup -- throttling for %d seconds", program, delay);
            }
        }
    }

    /** Ends this row's share in the seam lookups' wait, once. */
    private void firstStartDone() {
        if (firstStartPending.compareAndSet(true, false)) master.seams().started();
    }

    /** Seconds before the next instance: 0 after a lone failure, then 1, 2, 4 ... up to service_throttle_time. */
    private long backoff() {
        failureLock.lock();
        try {
            long now = System.nanoTime();
            if (failures > 0 && now - lastFailure > TimeUnit.SECONDS.toNanos(2 * throttleSeconds)) failures = 0;
            failures++;
            lastFailure = now;
            return failures == 1 ? 0 : Math.min(throttleSeconds, 1L << Math.min(30, failures - 2));
        } finally {
            failureLock.unlock();
        }
    }

    /** A session, wakeup or trigger of {@code s} threw: log it and replace the instance. */
    private void failed(Service s, String what, Throwable t) {
        report(s, what, t);
        if (!current.compareAndSet(s, null)) return;
        s.stop();
        withdrawSeams();
        long delay = backoff();
        if (delay > 0) masterLog.warning("%s: restarting in %d seconds after repeated failures", program, delay);
        Thread.ofVirtual().name("restart " + describe()).start(() -> launch(null, delay));
    }

    private void report(Service s, String what, Throwable t) {
        String text = t.getMessage() != null ? t.getMessage() : t.toString();
        if (t instanceof RuntimeException || t instanceof Error) {
            StackTraceElement[] st = t.getStackTrace();
            text = t.getClass().getName() + ": " + text + (st.length > 0 ? " at " + st[0] : "");
        }
        log.fatal("%s", text);
        masterLog.warning("process %s (service %s) %s failed: %s", program, describe(), what, text);
    }

    /**
     * Waits for a process slot and a running instance (connections wait in the listen
     * queue meanwhile, as with Postfix's process limit); false once retired.
     */
    boolean admit() throws InterruptedException {
        while (!retired && !master.stopping()) {
            if (current.get() == null) {
                Thread.sleep(50);
                continue;
            }
            if (permits == null || permits.tryAcquire(250, TimeUnit.MILLISECONDS)) return true;
        }
        return false;
    }

    void release() {
        if (permits != null) permits.release();
    }

    /** Serves an accepted connection on its own virtual thread; the slot from admit() is released at the end. */
    void dispatch(SocketChannel connection) {
        used = true;
        active.incrementAndGet();
        Thread.ofVirtual().name(program + " session").start(() -> {
            Service s = null;
            try (connection) {
                s = awaitInstance();
                if (s == null) return;
                if (s.triggerServer()) {
                    byte[] request = readTrigger(connection);
                    if (request.length > 0 && !events.offer(request)) {
                        log.warning("trigger queue full: dropping a request");
                    }
                } else {
                    s.serve(connection, context);
                }
            } catch (Throwable t) {
                if (s != null) failed(s, "session", t);
            } finally {
                release();
                active.decrementAndGet();
            }
        });
    }

    /** The running instance; while one is being (re)started the connection waits for it. Null once retired. */
    private Service awaitInstance() throws InterruptedException {
        Service s;
        while ((s = current.get()) == null && !retired && !master.stopping()) Thread.sleep(20);
        return s;
    }

    /** Postfix's trigger clients write a few bytes and close; read them with a deadline. */
    private static byte[] readTrigger(SocketChannel connection) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_TRIGGER);
        Thread closer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(TRIGGER_READ_MILLIS);
                connection.close();
            } catch (InterruptedException | IOException e) {
                // the read finished first
            }
        });
        try {
            while (buf.hasRemaining() && connection.read(buf) >= 0) {
                // keep reading until the client closes
            }
        } catch (IOException e) {
            // deadline or reset: use what arrived
        } finally {
            closer.interrupt();
        }
        buf.flip();
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
    }

    /** Runs wakeups and triggers one at a time, as Postfix's single-process trigger servers do. */
    private void events() {
        while (!retired && !master.stopping()) {
            byte[] e;
            try {
                e = events.poll(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ie) {
                return;
            }
            Service s = current.get();
            if (e == null || s == null) continue;
            active.incrementAndGet();
            try {
                if (e == WAKEUP) s.wakeup(context);
                else s.trigger(e, context);
            } catch (Throwable t) {
                failed(s, e == WAKEUP ? "wakeup" : "trigger", t);
            } finally {
                active.decrementAndGet();
            }
        }
    }

    /** master.cf's wakeup column: every N seconds, or with "N?" only once the service was used. */
    private void wakeups(int seconds) {
        while (!retired && !master.stopping()) {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            } catch (InterruptedException e) {
                return;
            }
            if (!row.wakeupAfterFirstUse() || used) events.offer(WAKEUP);
        }
    }

    /** Takes no new work; running sessions finish on their own. */
    void retire() {
        retired = true;
        Service s = current.get();
        if (s != null) s.stop();
        withdrawSeams();
        Thread t = timer;
        if (t != null) t.interrupt();
    }

    boolean retired() {
        return retired;
    }

    /** Sessions, wakeups and triggers running now. */
    int active() {
        return active.get();
    }

    private void withdrawSeams() {
        for (Map.Entry<Class<?>, Object> e : registered) master.seams().withdraw(e.getKey(), e.getValue());
        registered.clear();
    }

    /** The row's view of the master. */
    private final class Context implements ServiceContext {
        @Override
        public MasterCf.Service entry() {
            return row;
        }

        @Override
        public Config config() {
            return config;
        }

        @Override
        public Log log() {
            return log;
        }

        @Override
        public Path queueDirectory() {
            return master.queueDirectory();
        }

        @Override
        public <T> T seam(Class<T> type) {
            return master.seams().await(type, SEAM_WAIT_MILLIS, firstStartPending.get());
        }

        @Override
        public <T> void register(Class<T> type, T implementation) {
            master.seams().register(type, implementation);
            registered.add(Map.entry(type, implementation));
        }

        @Override
        public boolean stopping() {
            return retired || master.stopping();
        }
    }
}
