package org.posthorn.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for new queue files: every session that has written and marked its file
 * waits here, and one forcer thread makes the whole batch durable at once, with one
 * syncfs(2) of the queue's file system (or, where that is missing, an fsync per file and
 * per directory), then releases every waiter. While one batch is being forced the next
 * one gathers, so under load each sync covers many messages. A file that arrives when no
 * sync runs and nobody waits is forced by its own thread (an fsync, which the JDK lets a
 * virtual thread block in), sparing two thread hand-offs on an idle server. See docs/durability.md for the order of writes and why it is safe.
 *
 * <p>Mode, from system property {@code posthorn.queue.sync}: {@code auto} (the default:
 * syncfs for a batch of two or more, and for a single file when no other queue file has
 * been written for a second and {@link #prepare()} has run; fsync otherwise), {@code syncfs} or
 * {@code fsync}. A lone file needs two forces, of the file and of its directory, each
 * ending in a cache flush of the device; one syncfs needs one flush, and on a quiet
 * file system writes little else. While other files are half written it would write
 * them too, before they are done.
 */
public final class SyncPoint {
    /** How a batch reaches the disk. */
    enum Mode { AUTO, SYNCFS, FSYNC }

    /** The sync point of this JVM: every queue directory shares it (a batch may span several). */
    public static final SyncPoint SHARED = new SyncPoint(mode(System.getProperty("posthorn.queue.sync", "auto")));

    private static final class Request {
        final FileChannel channel;
        final Path root;
        final List<Path> dirs;
        boolean done;
        IOException error;

        Request(FileChannel channel, Path root, List<Path> dirs) {
            this.channel = channel;
            this.root = root;
            this.dirs = dirs;
        }
    }

    /** Makes one batch durable: the queue roots, open files and changed directories of its requests. */
    interface Force {
        void batch(Set<Path> roots, List<FileChannel> channels, Set<Path> dirs) throws IOException;
    }

    private final Force force;
    /** Queue files being written (created, not yet finished or removed) in this JVM. */
    private final AtomicInteger writing = new AtomicInteger();
    /** syncfs is bound (binding it takes tens of milliseconds, which a short command never pays). */
    private static volatile boolean prepared;
    /** When a file last found others being written (nanoTime): a busy spell, when syncfs does not pay. */
    private volatile long lastBusy = System.nanoTime() - QUIET_NANOS;
    private static final long QUIET_NANOS = 1_000_000_000L; // a second
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition finished = lock.newCondition();
    private List<Request> pending = new ArrayList<>();
    private Thread forcer;
    /** A sync is running (in the forcer or in a lone committer); new arrivals wait for the next. */
    private boolean syncing;
    /** Counters for tests and benchmarks: batches forced and files in them. */
    final AtomicLong batches = new AtomicLong();
    final AtomicLong files = new AtomicLong();

    SyncPoint(Mode mode) {
        this.force = (roots, channels, dirs) -> force(mode, roots, channels, dirs, quiet());
    }

    SyncPoint(Force force) {
        this.force = force;
    }

    /** A long-running process (the master) binds syncfs ahead of its first use, in the background. */
    public static void prepare() {
        Thread.ofVirtual().name("queue-sync-prepare").start(SyncPoint::bind);
    }

    static void bind() {
        prepared = FileSystemSync.available();
    }

    /** A queue file is being written: {@link #ended()} follows when it is finished or removed. */
    void started() {
        writing.incrementAndGet();
    }

    void ended() {
        writing.decrementAndGet();
    }

    /** Nobody else has been writing a queue file for a second, and syncfs is bound. */
    boolean quiet() {
        return quiet(System.nanoTime());
    }

    boolean quiet(long now) {
        if (writing.get() > 1) {
            lastBusy = now;
            return false;
        }
        return prepared && now - lastBusy >= QUIET_NANOS;
    }

    static Mode mode(String name) {
        try {
            return Mode.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Mode.AUTO;
        }
    }

    /**
     * Returns once the file's data and metadata, and the entries of dirs (where it was
     * created or renamed), are on disk, together with every other file that reached this
     * point meanwhile.
     *
     * @param channel the open file; it must stay open until this returns
     * @param root the queue directory (the file system that a syncfs covers)
     * @param dirs directories whose entries changed for this file
     */
    public void commit(FileChannel channel, Path root, List<Path> dirs) throws IOException {
        Request r = new Request(channel, root, dirs);
        lock.lock();
        try {
            if (!syncing && pending.isEmpty()) {
                // nobody to share a sync with: force it here, sparing two thread hand-offs
                syncing = true;
            } else {
                // the forcer starts with the first batch: a command that commits one file
                // (sendmail, postsuper) never needs it
                if (forcer == null) {
                    forcer = Thread.ofPlatform().daemon().name("queue-sync").start(this::run);
                }
                pending.add(r);
                work.signal();
                while (!r.done) finished.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        if (!r.done) forceAlone(r);
        if (r.error != null) throw new IOException(r.error.getMessage(), r.error);
    }

    private void forceAlone(Request r) {
        try {
            force(List.of(r));
        } catch (IOException e) {
            r.error = e;
        } catch (RuntimeException e) {
            r.error = new IOException(e.toString(), e);
        }
        r.done = true;
        batches.incrementAndGet();
        files.incrementAndGet();
        lock.lock();
        try {
            syncing = false;
            if (!pending.isEmpty()) work.signal();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        for (;;) {
            List<Request> batch;
            lock.lock();
            try {
                while (pending.isEmpty() || syncing) work.awaitUninterruptibly();
                batch = pending;
                pending = new ArrayList<>();
                syncing = true;
            } finally {
                lock.unlock();
            }
            IOException error = null;
            try {
                force(batch);
            } catch (IOException e) {
                error = e;
            } catch (RuntimeException e) {
                error = new IOException(e.toString(), e);
            }
            batches.incrementAndGet();
            files.addAndGet(batch.size());
            lock.lock();
            try {
                for (Request r : batch) {
                    r.error = error;
                    r.done = true;
                }
                syncing = false;
                finished.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void force(List<Request> batch) throws IOException {
        Set<Path> roots = new LinkedHashSet<>();
        List<FileChannel> channels = new ArrayList<>(batch.size());
        Set<Path> dirs = new LinkedHashSet<>();
        for (Request r : batch) {
            roots.add(r.root);
            channels.add(r.channel);
            dirs.addAll(r.dirs);
        }
        force.batch(roots, channels, dirs);
    }

    /** Whether a batch of this many files is forced by syncfs (where the system has it). */
    static boolean syncfs(Mode mode, int files, boolean quiet) {
        return mode == Mode.SYNCFS || mode == Mode.AUTO && (files > 1 || quiet);
    }

    /** Queue files being written now. */
    int writing() {
        return writing.get();
    }

    /** @param quiet no other queue file has been written for a while, and syncfs is bound */
    private static void force(Mode mode, Set<Path> roots, List<FileChannel> channels, Set<Path> dirs, boolean quiet)
            throws IOException {
        // availability last: its first call binds syncfs through the FFM linker (tens of
        // milliseconds), which a single file forced by fsync never needs
        if (syncfs(mode, channels.size(), quiet) && FileSystemSync.available()) {
            for (Path root : roots) FileSystemSync.syncfs(root);
            return;
        }
        for (FileChannel channel : channels) channel.force(true);
        for (Path dir : dirs) QueueDirectory.syncDirectory(dir);
    }
}
