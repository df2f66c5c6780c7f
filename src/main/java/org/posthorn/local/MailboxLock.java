package org.posthorn.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive access to an mbox file as mailbox_delivery_lock (virtual_mailbox_lock) asks:
 * "dotlock" creates FILE.lock with O_EXCL (a lock older than stale_lock_time is removed),
 * "fcntl" and "flock" take a kernel lock on the open file (the JVM's FileChannel.lock, an
 * fcntl lock on Linux, serves both). Each is tried deliver_lock_attempts times,
 * deliver_lock_delay apart. Deliveries in this JVM to the same file also queue on an
 * in-process lock, because kernel locks do not exclude threads of one process.
 *
 * @param styles   the lock styles in order (fcntl, flock, dotlock)
 * @param attempts deliver_lock_attempts
 * @param delay    deliver_lock_delay
 * @param stale    stale_lock_time
 */
public record MailboxLock(List<String> styles, int attempts, Duration delay, Duration stale) {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    public MailboxLock {
        styles = styles.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        attempts = Math.max(1, attempts);
    }

    /** The locks held on one mailbox; closing releases them in reverse order. */
    public final class Held implements AutoCloseable {
        private final Path file;
        private final ReentrantLock local;
        private Path dotlock;
        private FileLock kernel;

        private Held(Path file, ReentrantLock local) {
            this.file = file;
            this.local = local;
        }

        @Override
        public void close() {
            try {
                if (kernel != null && kernel.isValid()) kernel.release();
            } catch (IOException ignored) {
                // the channel is being closed by the caller anyway
            }
            if (dotlock != null) {
                try {
                    Files.deleteIfExists(dotlock);
                } catch (IOException ignored) {
                    // a stale lock is removed by the next delivery after stale_lock_time
                }
            }
            local.unlock();
        }

        public Path file() {
            return file;
        }
    }

    /**
     * First step, before the mailbox is opened (Postfix's order): the in-process lock and
     * the dot lock. A dot lock that cannot be made because the folder is missing or closed
     * bounces (5.2.0), one that stays taken defers (4.2.0).
     */
    public Held lockPath(Path file, UserAccount owner) throws DeliveryFailure {
        ReentrantLock local = IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new ReentrantLock());
        try {
            if (!local.tryLock(delay.toMillis() * attempts + 1000, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new DeliveryFailure("4.2.0", "unable to lock for exclusive access: " + file + ": resource busy");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryFailure("4.2.0", "unable to lock for exclusive access: interrupted");
        }
        Held held = new Held(file, local);
        try {
            if (styles.contains("dotlock")) held.dotlock = dotLock(file, owner);
            return held;
        } catch (DeliveryFailure | RuntimeException e) {
            held.close();
            throw e;
        }
    }

    /** Second step, on the opened mailbox: the kernel lock (fcntl, flock). */
    public void lockChannel(Held held, FileChannel channel) throws DeliveryFailure, IOException {
        if (styles.contains("fcntl") || styles.contains("flock")) held.kernel = kernelLock(held.file(), channel);
    }

    /** Both steps at once, for a file the caller already opened. */
    public Held lock(Path file, FileChannel channel, UserAccount owner) throws DeliveryFailure, IOException {
        Held held = lockPath(file, owner);
        try {
            lockChannel(held, channel);
            return held;
        } catch (DeliveryFailure | IOException | RuntimeException e) {
            held.close();
            throw e;
        }
    }

    private Path dotLock(Path file, UserAccount owner) throws DeliveryFailure {
        Path lock = file.resolveSibling(file.getFileName() + ".lock");
        for (int i = 0; ; i++) {
            try {
                Files.newByteChannel(lock, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                if (owner != null) Ownership.giveTo(lock, owner.uid(), owner.gid());
                return lock;
            } catch (FileAlreadyExistsException e) {
                removeIfStale(lock);
            } catch (IOException e) {
                boolean permanent = e instanceof NoSuchFileException || e instanceof java.nio.file.AccessDeniedException;
                throw new DeliveryFailure(permanent ? "5.2.0" : "4.2.0", "unable to create lock file " + lock + ": "
                        + MailboxFile.reason(e), e);
            }
            if (i + 1 >= attempts) {
                throw new DeliveryFailure("4.2.0", "unable to create lock file " + lock + ": File exists");
            }
            pause();
        }
    }

    private void removeIfStale(Path lock) {
        try {
            Instant modified = Files.getLastModifiedTime(lock).toInstant();
            if (modified.plus(stale).isBefore(Instant.now())) Files.deleteIfExists(lock);
        } catch (NoSuchFileException e) {
            // gone meanwhile: the next attempt takes it
        } catch (IOException e) {
            // cannot tell; wait like for a live lock
        }
    }

    private FileLock kernelLock(Path file, FileChannel channel) throws DeliveryFailure, IOException {
        for (int i = 0; ; i++) {
            FileLock l;
            try {
                l = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                l = null; // another channel of this JVM holds it: as busy as another process
            }
            if (l != null) return l;
            if (i + 1 >= attempts) {
                throw new DeliveryFailure("4.2.0", "unable to lock for exclusive access: " + file + ": Resource temporarily unavailable");
            }
            pause();
        }
    }

    private void pause() throws DeliveryFailure {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryFailure("4.2.0", "unable to lock for exclusive access: interrupted");
        }
    }
}
