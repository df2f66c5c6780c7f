package org.posthorn.qmgr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.posthorn.bounce.Bounce;
import org.posthorn.bounce.BounceLogs;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.queue.Envelope;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileEditor;
import org.posthorn.queue.QueueFileException;
import org.posthorn.queue.QueueFileLock;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.QueueName;
import org.posthorn.queue.Recipient;
import org.posthorn.queue.Record;
import org.posthorn.queue.RecordType;
import org.posthorn.rewrite.Resolution;
import org.posthorn.rewrite.TrivialRewrite;

/**
 * The queue manager's engine: moves finished queue files from incoming/ and (when their
 * time has come) deferred/ into active/, resolves each pending recipient through
 * trivial-rewrite, groups recipients into jobs per (transport, next hop), hands jobs to the
 * delivery agents within the process, destination concurrency and recipient limits, and
 * when a message's jobs are done removes it, bounces it or moves it to deferred/ with a
 * back-off.
 *
 * <p>All scheduling state belongs to one virtual thread (the loop); triggers, agent
 * registrations and finished deliveries reach it as events, so no lock is held around I/O.
 * Each delivery runs on its own virtual thread.
 */
public final class Qmgr implements Transports, QueueWakeup {
    /** What a redirected recipient gets when trivial-rewrite fails or the address is bad (Postfix's texts). */
    static final String RESOLVER_FAILURE = "4.3.0 address resolver failure";
    static final String BAD_ADDRESS = "5.1.3 bad address syntax";
    static final String DEFERRED_TRANSPORT = "4.3.2 deferred transport";
    static final String TRANSPORT_UNAVAILABLE = "4.3.0 mail transport unavailable";
    /** What recipients of a force-expired message that was never tried get (postsuper -e/-f; Postfix's text). */
    static final String ADMINISTRATIVELY_EXPIRED = "4.7.0 message is administratively expired";
    /** What recipients of a failed agent get (Postfix's text after an agent crash). */
    static final DeliveryStatus CRASH = DeliveryStatus.of("4.3.0", "none", "unknown mail transport error");
    static final String RETRY = "retry";
    static final String ERROR = "error";
    /** Files fed from the scan lists per loop turn, so that events and scheduling interleave. */
    private static final int FEED_BATCH = 100;
    private static final long MAX_WAIT_MILLIS = 1000;
    /** How long a delivery waits for postsuper's exclusive lock on a queue file: 100 x 10 ms. */
    private static final int LOCK_TRIES = 100;
    private static final long LOCK_PAUSE_MILLIS = 10;

    private final Config config;
    private final QueueDirectory queue;
    private final Log log;
    private final Supplier<TrivialRewrite> rewrite;
    private final Supplier<Bounce> bounce;
    private final Clock clock;
    private final Duration agentGrace;
    private final BounceLogs logs;
    private final Reporter.Context reporting;
    private final InFlow inFlow;

    /**
     * Queue files that deliveries are working on, over every qmgr in this JVM: a qmgr that
     * replaces another (reload, restart) leaves them in active/ until they are done.
     */
    private static final ConcurrentHashMap<Path, Integer> IN_FLIGHT = new ConcurrentHashMap<>();
    /** The registered agents by transport, readable from any thread (for {@link #agent}). */
    private final ConcurrentHashMap<String, DeliveryAgent> agents = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Log> agentLogs = new ConcurrentHashMap<>();

    private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    private final Map<String, TransportState> transports = new LinkedHashMap<>();
    private final Map<String, ActiveMessage> active = new HashMap<>();
    private final Set<Destination> deadDestinations = new HashSet<>();
    private final Set<String> warnedTransports = new HashSet<>();
    private final ArrayDeque<Path> incomingTodo = new ArrayDeque<>();
    /** Envelopes cleanup handed over as it completed their files, by queue ID: files qmgr need not read back. */
    private final ConcurrentHashMap<String, Arrival> arrived = new ConcurrentHashMap<>();
    private final ArrayDeque<Path> deferredTodo = new ArrayDeque<>();
    private boolean incomingRescan;
    private boolean deferredRescan;
    private boolean deferredScanAll;
    private boolean nextScanAll;
    private boolean feedIncomingFirst = true;
    private Instant nextDeferredScan;
    private Instant startTime;
    private int inCoreRecipients;
    private volatile boolean stopped;
    private Thread loop;

    // settings read once
    private final int activeLimit;
    private final int recipientLimit;
    private final int recipientMinimum;
    private final long transportRetryTime;
    private final long minBackoff;
    private final long maxBackoff;
    private final long queueRunDelay;
    private final long maxLifetime;
    private final long bounceLifetime;
    private final Set<String> deferTransports;
    private final String recipientDelimiter;

    /**
     * @param rewrite    trivial-rewrite's seam (asked lazily: the rewrite service may start after qmgr)
     * @param bounce     bounce(8)'s seam for notices
     * @param agentGrace how long mail for a transport without an agent waits for one to
     *                   register (services start side by side) before it is deferred
     */
    public Qmgr(Config config, QueueDirectory queue, Log log, Supplier<TrivialRewrite> rewrite,
                Supplier<Bounce> bounce, Clock clock, Duration agentGrace) {
        this.config = config;
        this.queue = queue;
        this.log = log;
        this.rewrite = rewrite;
        this.bounce = bounce;
        this.clock = clock;
        this.agentGrace = agentGrace;
        this.logs = new BounceLogs(queue);
        int decimals = Math.clamp(config.getInt("delay_logging_resolution_limit"), 0, 6);
        this.reporting = new Reporter.Context(logs, clock, decimals, config.getBool("soft_bounce"),
                new FastFlushLog(org.posthorn.flush.FlushDomains.of(config)));
        this.inFlow = new InFlow(config.getInt("default_process_limit"), Duration.ofSeconds(config.getTime("in_flow_delay")));
        this.activeLimit = Math.max(1, config.getInt("qmgr_message_active_limit"));
        this.recipientLimit = Math.max(1, config.getInt("qmgr_message_recipient_limit"));
        this.recipientMinimum = Math.max(1, config.getInt("qmgr_message_recipient_minimum"));
        this.transportRetryTime = config.getTime("transport_retry_time");
        this.minBackoff = config.getTime("minimal_backoff_time");
        this.maxBackoff = Math.max(minBackoff, config.getTime("maximal_backoff_time"));
        this.queueRunDelay = Math.max(1, config.getTime("queue_run_delay"));
        this.maxLifetime = config.getTime("maximal_queue_lifetime");
        this.bounceLifetime = Math.min(config.getTime("bounce_queue_lifetime"), maxLifetime);
        this.deferTransports = new HashSet<>(config.getList("defer_transports"));
        this.recipientDelimiter = config.get("recipient_delimiter");
    }

    // ------------------------------------------------------------------ public control

    /**
     * Puts files left in active/ by a previous run back into incoming/ (their done
     * recipients stay done), then starts the loop, which scans incoming/ and deferred/ at
     * once.
     */
    /** The in_flow_delay tokens that cleanup takes (offered to cleanup as a seam). */
    public InFlow inFlow() {
        return inFlow;
    }

    /** Where deferred mail for fast_flush_domains is logged (flush(8)'s seam). */
    public void fastFlush(Supplier<org.posthorn.flush.Flush> flush) {
        reporting.fastFlush().connect(flush);
    }

    public void start() throws IOException {
        Instant now = clock.instant();
        recoverOrphans(now);
        startTime = now;
        nextDeferredScan = now.plusSeconds(queueRunDelay);
        post(this::scanIncoming);
        post(this::scanDeferred);
        loop = Thread.ofVirtual().name("qmgr").start(this::run);
    }

    /**
     * Moves files in active/ that this qmgr does not own back to incoming/: left by a
     * previous run (a crash, or a reload that replaced the qmgr). A file that a delivery of
     * an earlier qmgr in this JVM still works on stays until that delivery ended, as
     * Postfix's qmgr leaves files locked by a delivery agent alone. Returns how many moved.
     */
    private int recoverOrphans(Instant now) throws IOException {
        int moved = 0;
        for (Path p : queue.list(QueueName.ACTIVE)) {
            String id = p.getFileName().toString();
            if (active.containsKey(id) || IN_FLIGHT.containsKey(p)) continue;
            try {
                setTimes(p, now);
                queue.rename(id, QueueName.ACTIVE, QueueName.INCOMING);
                moved++;
            } catch (NoSuchFileException e) {
                // gone meanwhile
            }
        }
        return moved;
    }

    /** Stops the loop; deliveries in progress finish on their own threads. */
    public void stop() {
        stopped = true;
        Thread t = loop;
        if (t != null) t.interrupt();
    }

    /** The wakeup timer: scan incoming/. */
    public void wakeup() {
        post(this::scanIncoming);
    }

    /**
     * Postfix's qmgr trigger bytes: {@code A} ignore deferred files' time stamps in the next
     * deferred scan, {@code F} forget dead destinations, {@code D} scan deferred/,
     * {@code I} and {@code W} scan incoming/. A and F act before D and I.
     */
    public void trigger(byte[] request) {
        boolean all = false;
        boolean forget = false;
        boolean deferred = false;
        boolean incoming = false;
        for (byte b : request) {
            switch (b) {
                case 'A' -> all = true;
                case 'F' -> forget = true;
                case 'D' -> deferred = true;
                case 'I', 'W' -> incoming = true;
                default -> log.warning("ignoring unknown trigger request %s", b >= 0x20 && b < 0x7f ? "'" + (char) b + "'" : Integer.toString(b & 0xff));
            }
        }
        boolean a = all;
        boolean f = forget;
        boolean d = deferred;
        boolean i = incoming;
        post(() -> {
            if (a) nextScanAll = true;
            if (f) forgetDead();
            if (d) scanDeferred();
            if (i) scanIncoming();
        });
    }

    private final java.util.concurrent.atomic.AtomicBoolean incomingWake = new java.util.concurrent.atomic.AtomicBoolean();

    /** A handed-over envelope, the size of the file it describes, and when it came (qmgr's clock, milliseconds). */
    private record Arrival(Envelope envelope, long fileSize, long at) {
        /** Whether it still describes the file found under its queue ID (a stale one never does). */
        boolean describes(long size, long now) {
            return size == fileSize && now - at < ARRIVAL_MAX_AGE_MILLIS;
        }
    }

    /** At most this many handed-over envelopes, and as many announced queue IDs, wait; beyond, qmgr reads and scans. */
    static final int ARRIVALS_LIMIT = 1000;
    static final long ARRIVAL_MAX_AGE_MILLIS = 10_000;

    @Override
    public void expect(String queueId, Envelope envelope) {
        long now = clock.millis();
        if (arrived.size() >= ARRIVALS_LIMIT) arrived.values().removeIf(a -> now - a.at() >= ARRIVAL_MAX_AGE_MILLIS);
        // the file ends with its E record: its type byte and a zero length byte
        if (arrived.size() < ARRIVALS_LIMIT) arrived.put(queueId, new Arrival(envelope, envelope.endOffset() + 2, now));
    }

    /** Queue IDs cleanup announced and qmgr has not taken yet. */
    private final ConcurrentLinkedQueue<String> announced = new ConcurrentLinkedQueue<>();
    private final AtomicInteger announcedCount = new AtomicInteger();
    /** More were announced than {@link #ARRIVALS_LIMIT}: the next take scans incoming/ instead. */
    private volatile boolean announcedOverflow;

    @Override
    public void incomingArrived(String queueId) {
        // the file is named, so no scan of incoming/ (a directory read and a stat per entry)
        if (announcedCount.incrementAndGet() <= ARRIVALS_LIMIT) {
            announced.add(queueId);
        } else {
            announcedCount.decrementAndGet();
            announcedOverflow = true;
        }
        // one event takes every file announced before it runs
        if (incomingWake.compareAndSet(false, true)) {
            post(() -> {
                incomingWake.set(false);
                takeAnnounced();
            });
        }
    }

    private void takeAnnounced() {
        for (String id; (id = announced.poll()) != null; ) {
            announcedCount.decrementAndGet();
            // a file both announced and listed by a scan is fed once: feedOne skips it the second time
            incomingTodo.add(queue.path(QueueName.INCOMING, id));
        }
        if (announcedOverflow) {
            announcedOverflow = false;
            scanIncoming();
        }
    }

    @Override
    public void register(String transport, DeliveryAgent agent, int maxproc) {
        register(transport, agent, maxproc, null);
    }

    @Override
    public void register(String transport, DeliveryAgent agent, int maxproc, Log agentLog) {
        Log l = agentLog != null ? agentLog : Log.of(syslogName(), transport);
        agents.put(transport, agent);
        agentLogs.put(transport, l);
        post(() -> {
            TransportState t = transport(transport);
            t.agent = agent;
            t.maxproc = maxproc;
            t.log = l;
            warnedTransports.remove(transport);
        });
    }

    @Override
    public DeliveryAgent agent(String transport) {
        return agents.get(transport);
    }

    @Override
    public Log agentLog(String transport) {
        return agentLogs.get(transport);
    }

    /**
     * Waits until qmgr has nothing to do: no message in active/, no scan in progress, no
     * event waiting. For tests and orderly shutdown; false on timeout.
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            CompletableFuture<Boolean> probe = new CompletableFuture<>();
            post(() -> probe.complete(active.isEmpty() && incomingTodo.isEmpty() && deferredTodo.isEmpty()
                    && !incomingRescan && !deferredRescan && events.isEmpty()));
            try {
                if (probe.get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)) return true;
            } catch (ExecutionException | TimeoutException e) {
                return false;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /** A destination's current concurrency window (0 when dead), or -1 if qmgr does not know it; for tests. */
    int window(String transport, String queueName) throws InterruptedException {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        post(() -> {
            TransportState t = transports.get(transport);
            Destination d = t == null ? null : t.destinations.get(queueName);
            f.complete(d == null ? -1 : d.window());
        });
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return -1;
        }
    }

    private void post(Runnable event) {
        events.add(event);
    }

    // ------------------------------------------------------------------ the loop

    private void run() {
        while (!stopped) {
            try {
                Runnable e = events.poll(waitMillis(), TimeUnit.MILLISECONDS);
                while (e != null) {
                    runEvent(e);
                    e = events.poll();
                }
                Instant now = clock.instant();
                timers(now);
                feed(now);
                if (incomingTodo.isEmpty() && !incomingRescan) inFlow.fill(); // keeping up with incoming/
                schedule();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warning("%s", describe(e));
            }
        }
    }

    private void runEvent(Runnable e) {
        try {
            e.run();
        } catch (RuntimeException ex) {
            log.warning("%s", describe(ex));
        }
    }

    private static String describe(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private long waitMillis() {
        if (!incomingTodo.isEmpty() || !deferredTodo.isEmpty()) {
            if (active.size() < activeLimit && inCoreRecipients < recipientLimit) return 0;
        }
        Instant now = clock.instant();
        Instant next = nextDeferredScan;
        for (Destination d : deadDestinations) if (d.deadUntil() != null && d.deadUntil().isBefore(next)) next = d.deadUntil();
        for (TransportState t : transports.values()) {
            Instant r = t.nextRateTime();
            if (r != null && r.isBefore(next)) next = r;
        }
        if (startTime != null && !agentGrace.isZero()) {
            Instant g = startTime.plus(agentGrace);
            if (g.isAfter(now) && g.isBefore(next)) next = g;
        }
        long ms = Duration.between(now, next).toMillis();
        return Math.clamp(ms, 1, MAX_WAIT_MILLIS);
    }

    private void timers(Instant now) {
        if (!now.isBefore(nextDeferredScan)) {
            nextDeferredScan = now.plusSeconds(queueRunDelay);
            scanDeferred();
        }
        for (Destination d : new ArrayList<>(deadDestinations)) {
            if (d.deadUntil() != null && !now.isBefore(d.deadUntil())) revive(d);
        }
    }

    // ------------------------------------------------------------------ scanning and feeding

    private void scanIncoming() {
        if (!incomingTodo.isEmpty()) {
            incomingRescan = true;
            return;
        }
        list(QueueName.INCOMING, incomingTodo);
    }

    private void scanDeferred() {
        try {
            if (recoverOrphans(clock.instant()) > 0) scanIncoming();
        } catch (IOException e) {
            log.warning("scan %s: %s", QueueName.ACTIVE.dirName(), e.getMessage());
        }
        if (!deferredTodo.isEmpty()) {
            deferredRescan = true;
            return;
        }
        deferredScanAll = nextScanAll;
        nextScanAll = false;
        list(QueueName.DEFERRED, deferredTodo);
    }

    private void list(QueueName q, ArrayDeque<Path> into) {
        try {
            into.addAll(queue.list(q));
        } catch (IOException e) {
            log.warning("scan %s: %s", q.dirName(), e.getMessage());
        }
    }

    /** Moves files into active/ while the active queue has room, alternating incoming and deferred. */
    private void feed(Instant now) {
        for (int n = 0; n < FEED_BATCH; n++) {
            if (active.size() >= activeLimit || inCoreRecipients >= recipientLimit) return;
            if (incomingTodo.isEmpty() && incomingRescan) {
                incomingRescan = false;
                list(QueueName.INCOMING, incomingTodo);
            }
            if (deferredTodo.isEmpty() && deferredRescan) {
                deferredRescan = false;
                deferredScanAll = nextScanAll;
                nextScanAll = false;
                list(QueueName.DEFERRED, deferredTodo);
            }
            boolean haveIncoming = !incomingTodo.isEmpty();
            boolean haveDeferred = !deferredTodo.isEmpty();
            if (!haveIncoming && !haveDeferred) return;
            boolean takeIncoming = haveIncoming && (feedIncomingFirst || !haveDeferred);
            feedIncomingFirst = !takeIncoming;
            if (takeIncoming) {
                feedOne(incomingTodo.pollFirst(), QueueName.INCOMING, false, now);
                inFlow.put(); // in_flow_delay: cleanup may accept one more message
            }
            else feedOne(deferredTodo.pollFirst(), QueueName.DEFERRED, deferredScanAll, now);
        }
    }

    private void feedOne(Path path, QueueName from, boolean ignoreTime, Instant now) {
        String id = path.getFileName().toString();
        if (active.containsKey(id)) return;
        Map<String, Object> attrs;
        try {
            // one stat for the mode, the time, the link count, the size and the identity
            attrs = Files.readAttributes(path, "unix:permissions,lastModifiedTime,nlink,size,fileKey", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return; // gone meanwhile
        }
        @SuppressWarnings("unchecked")
        Set<PosixFilePermission> perms = (Set<PosixFilePermission>) attrs.get("permissions");
        // the owner-execute bit marks a finished file; anything else is still being written
        if (!perms.contains(PosixFilePermission.OWNER_READ) || !perms.contains(PosixFilePermission.OWNER_WRITE)
                || !perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
            return;
        }
        if (!ignoreTime && ((FileTime) attrs.get("lastModifiedTime")).toInstant().isAfter(now.plusSeconds(1))) return;
        int links = ((Number) attrs.get("nlink")).intValue();
        if (links > 1) {
            // not a file cleanup made: someone linked it in
            log.warning("%s: file has %d links", path, links);
            return;
        }
        boolean forceExpire = perms.contains(PosixFilePermission.GROUP_EXECUTE);
        // taken only now: a file found before its mode was set keeps its entry for the next scan
        Arrival arrival = from == QueueName.INCOMING ? arrived.remove(id) : null;
        Path file;
        try {
            file = moveToActive(path, id, from);
        } catch (NoSuchFileException e) {
            return; // postsuper (or another scan) moved it first
        } catch (IOException e) {
            log.warning("%s: rename from %s to %s: %s", id, from.dirName(), QueueName.ACTIVE.dirName(), e.getMessage());
            return;
        }
        Envelope env = arrival != null && arrival.describes((Long) attrs.get("size"), clock.millis()) ? arrival.envelope() : null;
        if (env == null) env = readEnvelope(file, id, now);
        if (env == null) return;
        long size = env.size() == null ? 0 : env.size().contentSize();
        long nrcpt = env.size() == null ? env.recipients().size() : env.size().recipientCount();
        log.info("%s: from=<%s>, size=%d, nrcpt=%d (queue active)", id, env.sender(), size, nrcpt);
        ActiveMessage m = new ActiveMessage(id, file, attrs.get("fileKey"), env, now, forceExpire);
        if (perms.contains(PosixFilePermission.GROUP_READ)) {
            // flush(8)'s unthrottle mark (postqueue -i): used once, then cleared
            m.unthrottle = true;
            try {
                perms.remove(PosixFilePermission.GROUP_READ);
                Files.setPosixFilePermissions(file, perms);
            } catch (IOException e) {
                log.warning("%s: cannot clear unthrottle mark: %s", id, e.getMessage());
            }
        }
        active.put(id, m);
        List<Recipient> pending = env.pendingRecipients();
        if (forceExpire) {
            if (!pending.isEmpty() && !Files.exists(logs.path(QueueName.DEFER, id))) {
                // never tried: as Postfix 3.5+, the retry transport defers each recipient with this
                // reason, and at the end of the turn the message is returned with it
                List<DeliveryRecipient> rcpts = new ArrayList<>();
                for (Recipient r : pending) {
                    rcpts.add(new DeliveryRecipient(r.address(), r.originalAddress(), r.dsnOrigRcpt(), r.dsnNotify(), r.offset()));
                }
                TransportState retry = transport(RETRY);
                retry.add(new Job(m, retry.destination(ADMINISTRATIVELY_EXPIRED), ADMINISTRATIVELY_EXPIRED, rcpts));
                m.pendingJobs++;
                m.inCoreRecipients += rcpts.size();
                inCoreRecipients += rcpts.size();
                return;
            }
            // postsuper -e/-f: no delivery attempt; the defer log of earlier attempts becomes the bounce
            m.deferred = !pending.isEmpty();
            finish(m);
            return;
        }
        try {
            logs.remove(QueueName.DEFER, id); // this attempt writes a fresh one
        } catch (IOException e) {
            log.warning("%s: remove defer log: %s", id, e.getMessage());
        }
        m.unread.addAll(pending);
        readMore(m);
    }

    /** Reads a file's envelope; null when it is corrupt (saved aside) or unreadable (tried again later). */
    private Envelope readEnvelope(Path file, String id, Instant now) {
        try (QueueFileReader reader = QueueFileReader.open(file)) {
            return reader.envelope();
        } catch (QueueFileException e) {
            saveCorrupt(file, e.getMessage());
        } catch (IOException e) {
            log.warning("%s: cannot read queue file: %s", id, e.getMessage());
            putBack(id, now.plusSeconds(60));
        }
        return null;
    }

    private Path moveToActive(Path path, String id, QueueName from) throws IOException {
        Path target = queue.path(QueueName.ACTIVE, id);
        if (path.equals(queue.path(from, id))) return queue.rename(id, from, QueueName.ACTIVE);
        // a file in another hash subdirectory (hash_queue_depth changed): move it as found
        Files.move(path, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private void saveCorrupt(Path file, String reason) {
        try {
            queue.saveCorrupt(file, QueueName.ACTIVE, reason, log);
        } catch (IOException e) {
            log.warning("%s: cannot save corrupt file: %s", file.getFileName(), e.getMessage());
        }
    }

    /** Returns a file that could not be read to incoming/ for a later try. */
    private void putBack(String id, Instant when) {
        try {
            setTimes(queue.path(QueueName.ACTIVE, id), when);
            queue.rename(id, QueueName.ACTIVE, QueueName.INCOMING);
        } catch (IOException e) {
            log.warning("%s: cannot return file to incoming: %s", id, e.getMessage());
        }
    }

    private static void setTimes(Path file, Instant when) throws IOException {
        FileTime t = FileTime.from(when.getEpochSecond(), TimeUnit.SECONDS);
        Files.getFileAttributeView(file, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(t, t, null);
    }

    // ------------------------------------------------------------------ resolving and grouping

    /** A recipient's route as qmgr schedules it. */
    private record Route(String transport, String nexthop, String queueName) {
    }

    /**
     * Schedules the next batch of a message's recipients, within what is left of
     * qmgr_message_recipient_limit but at least qmgr_message_recipient_minimum; once
     * none are left unread and no job is pending, the message is finished.
     */
    private void readMore(ActiveMessage m) {
        if (m.gone) m.unread.clear(); // postsuper took the file away: schedule nothing more
        while (m.pendingJobs == 0 && !m.unread.isEmpty()) {
            int n = Math.max(recipientMinimum, recipientLimit - inCoreRecipients);
            List<Recipient> batch = new ArrayList<>();
            while (batch.size() < n && !m.unread.isEmpty()) batch.add(m.unread.pollFirst());
            enqueue(m, batch);
        }
        if (m.pendingJobs == 0) finish(m);
    }

    private void enqueue(ActiveMessage m, List<Recipient> pending) {
        Map<Route, List<DeliveryRecipient>> groups = new LinkedHashMap<>();
        for (Recipient r : pending) {
            DeliveryRecipient dr = new DeliveryRecipient(r.address(), r.originalAddress(), r.dsnOrigRcpt(), r.dsnNotify(), r.offset());
            Route route = route(m.sender(), r.address());
            TransportState rt = transport(route.transport());
            if (m.unthrottle) {
                rt.deadUntil = null;
                Destination dead = rt.destination(route.queueName());
                if (dead.dead()) revive(dead);
            }
            if (rt.dead(clock.instant())) {
                qmgrDefer(m, List.of(dr), DeliveryStatus.of(CRASH.dsn(), "none", "delivery temporarily suspended: " + CRASH.text()));
                continue;
            }
            Destination d = rt.destination(route.queueName());
            if (d.dead()) {
                DeliveryStatus why = d.deadReason();
                qmgrDefer(m, List.of(dr), DeliveryStatus.of(why.dsn(), "none", "delivery temporarily suspended: " + why.text()));
                transport(route.transport()).prune(d);
                continue;
            }
            groups.computeIfAbsent(route, k -> new ArrayList<>()).add(dr);
        }
        for (Map.Entry<Route, List<DeliveryRecipient>> g : groups.entrySet()) {
            Route route = g.getKey();
            TransportState t = transport(route.transport());
            Destination d = t.destination(route.queueName());
            int limit = t.limits.recipientLimit() <= 0 ? Integer.MAX_VALUE : t.limits.recipientLimit();
            if (verpDelimiters(m) != null) limit = 1; // VERP: each delivery has its own sender
            List<DeliveryRecipient> all = g.getValue();
            for (int i = 0; i < all.size(); i += limit) {
                List<DeliveryRecipient> chunk = List.copyOf(all.subList(i, Math.min(all.size(), i + limit)));
                t.add(new Job(m, d, route.nexthop(), chunk));
                m.pendingJobs++;
                m.inCoreRecipients += chunk.size();
                inCoreRecipients += chunk.size();
            }
        }
    }

    /** Resolves a recipient and applies qmgr's redirections (resolver failure, bad address, defer_transports). */
    private Route route(String sender, String address) {
        Resolution res;
        try {
            res = rewrite.get().resolve(sender, address);
        } catch (RuntimeException e) {
            log.warning("address resolver: %s", describe(e));
            return new Route(RETRY, RESOLVER_FAILURE, RESOLVER_FAILURE);
        }
        if (res.failed()) return new Route(RETRY, RESOLVER_FAILURE, RESOLVER_FAILURE);
        if (res.error()) return new Route(ERROR, BAD_ADDRESS, BAD_ADDRESS);
        if (deferTransports.contains(res.transport())) return new Route(RETRY, DEFERRED_TRANSPORT, DEFERRED_TRANSPORT);
        TransportState t = transport(res.transport());
        String nexthop = res.nexthop();
        String queueName = nexthop.toLowerCase(Locale.ROOT);
        if (t.limits.recipientLimit() == 1) {
            // per-recipient queues: concurrency then limits deliveries to one mailbox, not one domain
            queueName = localPart(res.recipient()) + "@" + queueName;
        }
        return new Route(res.transport(), nexthop, queueName);
    }

    /** The local part without address extension, lower-cased, as Postfix names per-recipient queues. */
    private String localPart(String recipient) {
        int at = recipient.lastIndexOf('@');
        String local = at < 0 ? recipient : recipient.substring(0, at);
        if (!recipientDelimiter.isEmpty()) {
            for (int i = 0; i < local.length(); i++) {
                if (recipientDelimiter.indexOf(local.charAt(i)) >= 0) {
                    local = local.substring(0, i);
                    break;
                }
            }
        }
        return local.toLowerCase(Locale.ROOT);
    }

    private TransportState transport(String name) {
        return transports.computeIfAbsent(name, n -> new TransportState(n, limits(n)));
    }

    /** A transport's destination limits: {@code <transport>_...} if set, else the default_... parameter. */
    private Destination.Limits limits(String transport) {
        try {
            return new Destination.Limits(
                    Integer.parseInt(param(transport + "_destination_concurrency_limit", "default_destination_concurrency_limit")),
                    Integer.parseInt(param(transport + "_initial_destination_concurrency", "initial_destination_concurrency")),
                    feedback(transport, "positive"),
                    feedback(transport, "negative"),
                    Double.parseDouble(param(transport + "_destination_concurrency_failed_cohort_limit",
                            "default_destination_concurrency_failed_cohort_limit")),
                    Duration.ofSeconds(time(transport + "_destination_rate_delay", "default_destination_rate_delay")),
                    Integer.parseInt(param(transport + "_destination_recipient_limit", "default_destination_recipient_limit")));
        } catch (IllegalArgumentException e) {
            log.warning("transport %s: bad scheduling parameter (%s); using Postfix's defaults", transport, describe(e));
            return new Destination.Limits(20, 5, new Feedback(1, Feedback.Kind.CONSTANT),
                    new Feedback(1, Feedback.Kind.CONSTANT), 1, Duration.ZERO, 50);
        }
    }

    private Feedback feedback(String transport, String sign) {
        String specific = transport + "_destination_concurrency_" + sign + "_feedback";
        String general = "default_destination_concurrency_" + sign + "_feedback";
        return Feedback.parse(config.raw(specific) != null ? specific : general, param(specific, general));
    }

    private String param(String specific, String general) {
        return (config.raw(specific) != null ? config.get(specific) : config.get(general)).strip();
    }

    private long time(String specific, String general) {
        return config.raw(specific) != null ? config.getTime(specific) : config.getTime(general);
    }

    private String syslogName() {
        String n = config.get("syslog_name").strip();
        return n.isEmpty() ? "postfix" : n;
    }

    // ------------------------------------------------------------------ scheduling

    /** Starts jobs while some transport has a process slot and a destination whose turn it is. */
    private void schedule() {
        Instant now = clock.instant();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (TransportState t : new ArrayList<>(transports.values())) {
                if (!t.hasWork() || !t.hasProcessSlot()) continue;
                if (t.agent == null) {
                    if (noAgent(t, now)) progress = true;
                    continue;
                }
                Destination d = t.next(now);
                if (d == null) continue;
                launch(t, d, d.pollJob(), now);
                progress = true;
            }
        }
    }

    /**
     * Mail for a transport that no agent serves: after the start-up grace, the error and
     * retry transports are reported by qmgr itself, any other transport's jobs go to retry
     * with "mail transport unavailable", as Postfix does for a missing master.cf row.
     */
    private boolean noAgent(TransportState t, Instant now) {
        if (startTime != null && now.isBefore(startTime.plus(agentGrace))) return false;
        boolean builtin = t.name.equals(RETRY) || t.name.equals(ERROR);
        if (!builtin && warnedTransports.add(t.name)) {
            log.warning("connect to transport private/%s: No such file or directory", t.name);
        }
        List<Job> jobs = new ArrayList<>();
        for (Destination d : t.destinations.values()) {
            jobs.addAll(d.drainJobs());
        }
        for (Job j : jobs) {
            if (builtin) {
                DsnText why = DsnText.split(t.name.equals(ERROR) ? "5.0.0" : "4.0.0", j.nexthop());
                Reporter r = qmgrReporter(j.message());
                for (DeliveryRecipient rc : j.recipients()) {
                    DeliveryStatus s = DeliveryStatus.of(why.dsn(), "none", why.text());
                    if (t.name.equals(ERROR)) r.bounced(rc, s);
                    else r.deferred(rc, s);
                }
                jobDone(j, r.anyDeferred());
            } else {
                TransportState retry = transport(RETRY);
                Destination rd = retry.destination(TRANSPORT_UNAVAILABLE);
                retry.add(new Job(j.message(), rd, TRANSPORT_UNAVAILABLE, j.recipients()));
            }
        }
        for (Destination d : new ArrayList<>(t.destinations.values())) t.prune(d);
        return !jobs.isEmpty();
    }

    private void launch(TransportState t, Destination d, Job job, Instant now) {
        ActiveMessage m = job.message();
        QueueFileLock lock = m.gone ? null : lockForDelivery(m);
        if (lock == null) {
            // postsuper deleted, held or requeued the file: forget the job, deliver nothing
            m.gone = true;
            jobDone(job, false);
            t.prune(d);
            return;
        }
        t.busy++;
        d.started();
        Envelope env = m.envelope;
        Reporter reporter = new Reporter(reporting, t.log, m.queueId, m.file, m.arrival(), m.activeSince, now,
                traceRecord(m) != null);
        String verp = verpDelimiters(m);
        String sender = verp != null && job.recipients().size() == 1
                ? Verp.sender(verp, m.sender(), job.recipients().getFirst().address()) : m.sender();
        DeliveryRequest request = new DeliveryRequest(t.name, job.nexthop(), m.queueId, m.file, m.arrival(),
                m.activeSince, sender, env.size() == null ? 0 : env.size().contentSize(), dsnRet(env),
                dsnEnvid(env), env.attributes(), job.recipients(), reporter, d.hasJobs());
        DeliveryAgent agent = t.agent;
        Log agentLog = t.log;
        Path file = m.file.toAbsolutePath();
        IN_FLIGHT.merge(file, 1, Integer::sum);
        Thread.ofVirtual().name("qmgr " + t.name + " " + d.name).start(() -> {
            try {
                agent.deliver(request);
            } catch (Throwable e) {
                agentLog.warning("%s: delivery agent for transport %s failed: %s", m.queueId, t.name, describe(e));
                reporter.crashed();
            } finally {
                reporter.deferUnreported(job.recipients(), CRASH);
                lock.close();
                IN_FLIGHT.computeIfPresent(file, (k, n) -> n == 1 ? null : n - 1);
            }
            post(() -> completed(t, d, job, reporter));
        });
    }

    /**
     * A shared flock on the queue file for one delivery, as Postfix's delivery agents hold
     * one: postsuper takes it exclusively before it deletes, moves or re-flags an active
     * file, so it waits for this delivery and never moves the file while recipients are
     * being marked done. Null when the file is no longer in active/ (postsuper moved or
     * deleted it). postsuper holds its lock only for a rename, so a short wait suffices;
     * should it not end, the delivery goes ahead unlocked as it would without postsuper.
     */
    private QueueFileLock lockForDelivery(ActiveMessage m) {
        QueueFileLock lock;
        try {
            lock = QueueFileLock.open(m.file, m.fileKey);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            log.warning("%s: cannot lock queue file: %s", m.queueId, describe(e));
            return null;
        }
        for (int i = 0; i < LOCK_TRIES && !lock.tryShared(); i++) {
            try {
                Thread.sleep(LOCK_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!lock.stillAt(m.file)) {
            lock.close();
            return null;
        }
        return lock;
    }

    private void completed(TransportState t, Destination d, Job job, Reporter reporter) {
        Instant now = clock.instant();
        t.busy--;
        DeliveryStatus failure = reporter.siteFailure(job.recipients());
        if (reporter.agentCrashed()) {
            suspend(t, now);
        } else if (failure == null) {
            d.positiveFeedback();
        } else if (d.negativeFeedback(failure, now, Duration.ofSeconds(Math.max(1, minBackoff)))) {
            suspend(t, d);
        }
        d.finished(now);
        jobDone(job, reporter.anyDeferred());
        t.prune(d);
    }

    /**
     * The transport's agent failed: like Postfix after a crashed delivery agent, the
     * transport is suspended for transport_retry_time and its waiting mail deferred.
     */
    private void suspend(TransportState t, Instant now) {
        t.deadUntil = now.plusSeconds(Math.max(1, transportRetryTime));
        DeliveryStatus status = DeliveryStatus.of(CRASH.dsn(), "none", "delivery temporarily suspended: " + CRASH.text());
        for (Destination d : new ArrayList<>(t.destinations.values())) {
            for (Job j : d.drainJobs()) {
                qmgrDefer(j.message(), j.recipients(), status);
                jobDone(j, true);
            }
        }
    }

    /** The message's VERP delimiters (cleanup's V record), or null. */
    private static String verpDelimiters(ActiveMessage m) {
        if (m.sender().isEmpty()) return null;
        Record v = m.envelope.first(RecordType.VERP);
        return v == null || v.text().length() != 2 ? null : v.text();
    }

    /** A destination was declared dead: its waiting jobs are deferred until it is revived. */
    private void suspend(TransportState t, Destination d) {
        deadDestinations.add(d);
        DeliveryStatus why = d.deadReason();
        DeliveryStatus status = DeliveryStatus.of(why.dsn(), "none", "delivery temporarily suspended: " + why.text());
        List<Job> jobs = d.drainJobs();
        for (Job j : jobs) {
            qmgrDefer(j.message(), j.recipients(), status);
            jobDone(j, true);
        }
    }

    private void revive(Destination d) {
        deadDestinations.remove(d);
        d.revive();
        TransportState t = transports.get(d.transport);
        if (t != null) t.prune(d);
    }

    /** The F trigger: every dead destination gets another chance. */
    private void forgetDead() {
        for (Destination d : new ArrayList<>(deadDestinations)) revive(d);
        for (TransportState t : transports.values()) t.deadUntil = null;
    }

    private Reporter qmgrReporter(ActiveMessage m) {
        return new Reporter(reporting, log, m.queueId, m.file, m.arrival(), m.activeSince, null, traceRecord(m) != null);
    }

    /** Defers recipients without an agent, logged by qmgr itself (relay=none). */
    private void qmgrDefer(ActiveMessage m, List<DeliveryRecipient> recipients, DeliveryStatus status) {
        Reporter r = qmgrReporter(m);
        for (DeliveryRecipient rc : recipients) r.deferred(rc, status);
        m.deferred = true;
    }

    private void jobDone(Job job, boolean deferred) {
        ActiveMessage m = job.message();
        if (deferred) m.deferred = true;
        m.pendingJobs--;
        m.inCoreRecipients -= job.recipients().size();
        inCoreRecipients -= job.recipients().size();
        if (m.pendingJobs == 0) readMore(m);
    }

    private static String dsnRet(Envelope env) {
        Record r = env.first(RecordType.DSN_RET);
        String v = r != null ? r.text().strip() : env.attribute("dsn_ret");
        if (v == null) return null;
        return switch (v) {
            case "1" -> "FULL";
            case "2" -> "HDRS";
            default -> null;
        };
    }

    private static String dsnEnvid(Envelope env) {
        Record r = env.first(RecordType.DSN_ENVID);
        return r != null ? r.text() : env.attribute("dsn_envid");
    }

    // ------------------------------------------------------------------ the end of a message's turn

    /**
     * All jobs of a message are done: notices for bounced recipients, expiry, and then the
     * file is removed (nothing pending) or moved to deferred/ with its next try as mtime.
     */
    private void finish(ActiveMessage m) {
        active.remove(m.queueId);
        inCoreRecipients -= m.inCoreRecipients;
        m.inCoreRecipients = 0;
        Set<PosixFilePermission> mode;
        try {
            mode = m.gone ? null : Files.getPosixFilePermissions(m.file, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            mode = null;
        }
        if (mode == null) {
            // postsuper deleted, held or requeued it: the file is no longer ours to move or remove
            return;
        }
        Instant now = clock.instant();
        boolean deferred = m.deferred;
        // postsuper -e/-f may have set the force-expire bit (group execute) while the file was active
        boolean forceExpire = m.forceExpire || mode.contains(PosixFilePermission.GROUP_EXECUTE);
        Bounce.Notice notice = new Bounce.Notice(m.queueId, m.file, m.sender(), dsnEnvid(m.envelope), dsnRet(m.envelope));
        try {
            Path bounceLog = logs.path(QueueName.BOUNCE, m.queueId);
            if (Files.exists(bounceLog)) {
                if (Files.size(bounceLog) == 0) Files.deleteIfExists(bounceLog);
                else if (!bounce.get().flushBounced(notice)) deferred = true;
            }
            if (deferred) {
                long lifetime = m.sender().isEmpty() ? bounceLifetime : maxLifetime;
                if (forceExpire || Backoff.expired(m.arrival(), now, lifetime)) {
                    log.info("%s: from=<%s>, status=%s, returned to sender", m.queueId, m.sender(),
                            forceExpire ? "force-expired" : "expired");
                    if (bounce.get().flushExpired(notice)) deferred = false;
                } else {
                    warnIfDue(m, notice, now);
                }
            }
            Record trace = traceRecord(m);
            if (trace != null) {
                // sendmail -v: the first pass is over; report it once, then kill trace_flags so a
                // later delivery attempt neither records nor reports (as Postfix's qmgr)
                if (bounce.get().flushReport(notice)) {
                    try (QueueFileEditor editor = QueueFileEditor.open(m.file)) {
                        editor.kill(trace.offset(), RecordType.ATTR);
                    }
                } else {
                    deferred = true;
                }
            }
            // NOTIFY=SUCCESS: the trace log becomes a success notice when the message is done
            if (!deferred && Files.exists(logs.path(QueueName.TRACE, m.queueId))
                    && !bounce.get().flushTraced(notice)) {
                deferred = true;
            }
            if (deferred) {
                long delay = Backoff.delaySeconds(m.arrival(), now, minBackoff, maxBackoff);
                setTimes(m.file, now.plusSeconds(delay));
                queue.rename(m.queueId, QueueName.ACTIVE, QueueName.DEFERRED);
            } else if (queue.retire(QueueName.ACTIVE, m.queueId)) {
                logs.remove(QueueName.DEFER, m.queueId);
                log.info("%s: removed", m.queueId);
            }
        } catch (NoSuchFileException e) {
            // postsuper moved or deleted the file meanwhile: it is no longer ours
        } catch (IOException | RuntimeException e) {
            // the file stays in active/; the next qmgr start puts it back into incoming/
            log.warning("%s: %s", m.queueId, describe(e));
        }
    }

    /** The {@code A trace_flags=} record when it asks for sendmail -v's report (DEL_REQ_FLAG_RECORD), else null. */
    static Record traceRecord(ActiveMessage m) {
        Record r = m.envelope.first(RecordType.ATTR);
        if (r == null || !r.text().startsWith("trace_flags=")) return null;
        try {
            return (Integer.parseInt(r.text().substring("trace_flags=".length()).strip()) & TRACE_RECORD) != 0 ? r : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** DEL_REQ_FLAG_RECORD, the trace flag of sendmail -v. */
    private static final int TRACE_RECORD = 1024;

    /** delay_warning_time: cleanup's W record says when; after a sent warning it becomes -1. */
    private void warnIfDue(ActiveMessage m, Bounce.Notice notice, Instant now) throws IOException {
        Record w = m.envelope.first(RecordType.WARN);
        if (w == null) return;
        long when;
        try {
            when = Long.parseLong(w.text().strip());
        } catch (NumberFormatException e) {
            return;
        }
        if (when > 0 && now.getEpochSecond() > when && bounce.get().warnDelayed(notice)) {
            try (QueueFileEditor editor = QueueFileEditor.open(m.file)) {
                editor.setWarnTime(w.offset(), -1);
            }
        }
    }
}
