package org.posthorn.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivered queue files kept, emptied, under {@code $queue_directory/recycle/} and given to
 * the next new message instead of a file made from nothing. Creating a file allocates an
 * inode and removing one frees it, and on ext4 without a journal each allocation also
 * steps over every inode freed in the last minutes: with a thousand messages a second
 * that walk cost a millisecond per new file. A renamed spare costs neither.
 *
 * <p>Only the process that runs qmgr fills the pool; the files are named after their inode
 * number, empty, with mode 0600 (a file being written), and nobody else reads recycle/. A
 * crash may leave files there, emptied or not: the next qmgr start removes them. A spare is
 * a finished message's file: it leaves active/ (one rename, as atomic as the unlink it
 * replaces) before it is emptied, and waits a moment before it is used again.
 */
public final class SpareFiles {
    /** The directory, next to the queues. */
    public static final String DIRECTORY = "recycle";
    /** At most this many spares per queue directory: enough for the messages in flight at once. */
    static final int CAPACITY = 256;

    private static final ConcurrentHashMap<Path, SpareFiles> BY_ROOT = new ConcurrentHashMap<>();

    /**
     * A spare waits this long before a new message may take it: a reader that opened the
     * file under its old name just before qmgr kept it (showq, postcat) then finds it
     * emptied, never holding another message.
     */
    static final long MIN_AGE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** A spare file and its inode number (the queue ID of its next message is built from it). */
    record Spare(Path path, long inode, long keptAt) {
    }

    private final Path dir;
    private final int capacity;
    private final long minAgeNanos;
    private final ReentrantLock lock = new ReentrantLock();
    /** Oldest first. */
    private final ArrayDeque<Spare> pool = new ArrayDeque<>();
    private volatile boolean dirMade;

    SpareFiles(Path root, int capacity, long minAgeNanos) {
        this.dir = root.resolve(DIRECTORY);
        this.capacity = capacity;
        this.minAgeNanos = minAgeNanos;
    }

    /** The spares of a queue directory in this JVM. */
    public static SpareFiles of(Path root) {
        return BY_ROOT.computeIfAbsent(root.toAbsolutePath().normalize(), r -> new SpareFiles(r, CAPACITY, MIN_AGE_NANOS));
    }

    /** For tests: the spares of {@code root} with another minimum age. */
    static SpareFiles install(Path root, long minAgeNanos) {
        SpareFiles s = new SpareFiles(root.toAbsolutePath().normalize(), CAPACITY, minAgeNanos);
        BY_ROOT.put(root.toAbsolutePath().normalize(), s);
        return s;
    }

    /** A spare for a new message, or null when none has waited long enough (then a new file is made). */
    Spare take() {
        lock.lock();
        try {
            Spare oldest = pool.peekFirst();
            if (oldest == null || System.nanoTime() - oldest.keptAt() < minAgeNanos) return null;
            return pool.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /** How many spares wait. */
    int size() {
        lock.lock();
        try {
            return pool.size();
        } finally {
            lock.unlock();
        }
    }

    private boolean add(Spare spare) {
        lock.lock();
        try {
            if (pool.size() >= capacity) return false;
            pool.addLast(spare);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Keeps a finished message's file instead of removing it: renames it into recycle/,
     * empties it and resets its mode to 0600. Returns false, leaving the file where it is,
     * when the pool is full or recycle/ cannot take it; throws NoSuchFileException when the
     * file is not there.
     */
    boolean keep(Path file) throws IOException {
        if (size() >= capacity) return false;
        long inode = ((Number) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
        Path spare = dir.resolve(Long.toString(inode));
        if (!dirMade) makeDirectory();
        try {
            Files.move(file, spare, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) throw e;
            dirMade = false; // recycle/ was removed behind our back: made again next time
            return false;
        }
        // from here on the message is gone, as after an unlink: a failure below only loses the spare
        try {
            // emptied by the open itself (O_TRUNC): one call instead of FileChannel.truncate's four
            FileChannel.open(spare, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING).close();
            Files.setPosixFilePermissions(spare, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(spare);
            return true;
        }
        if (!add(new Spare(spare, inode, System.nanoTime()))) Files.deleteIfExists(spare);
        return true;
    }

    private void makeDirectory() throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // made by an earlier run
        }
        dirMade = true;
    }

    /** Forgets every spare and removes what recycle/ holds (qmgr's start: leftovers of a crash). */
    public void clear() throws IOException {
        lock.lock();
        try {
            pool.clear();
        } finally {
            lock.unlock();
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) Files.deleteIfExists(f); // a spare taken meanwhile is simply gone
        }
    }
}
