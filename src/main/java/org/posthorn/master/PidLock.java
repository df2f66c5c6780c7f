package org.posthorn.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * The master's pid file, $queue_directory/pid/master.pid, held under an exclusive lock
 * (fcntl, as Postfix's master holds it) for as long as the master runs: a master is running
 * exactly when the file is locked, so a pid file left by a crash is simply stale. The pid is
 * written as Postfix writes it, right-aligned in 32 columns and a newline.
 */
public final class PidLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private PidLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The pid file of the master of this queue directory. */
    public static Path pidFile(Path queueDirectory) {
        return queueDirectory.resolve("pid").resolve("master.pid");
    }

    /** Locks {@code file} and writes this process's pid into it; null when another process holds the lock. */
    static PidLock acquire(Path file) throws IOException {
        java.nio.file.Files.createDirectories(file.getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            return null;
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(String.format("%32d\n", ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(false);
        return new PidLock(ch, lock);
    }

    /**
     * The pid of the running master, or empty when none runs (no pid file, or a stale one).
     * Must not be called inside the master's own JVM: closing the probe would drop its lock.
     */
    public static OptionalLong running(Path queueDirectory) throws IOException {
        Path file = pidFile(queueDirectory);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe;
            try {
                probe = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                probe = null;
            }
            if (probe != null) {
                probe.release();
                return OptionalLong.empty();
            }
            ByteBuffer buf = ByteBuffer.allocate(64);
            ch.read(buf, 0);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
            try {
                return OptionalLong.of(Long.parseLong(text));
            } catch (NumberFormatException e) {
                throw new IOException("bad pid file " + file + ": \"" + text + "\"");
            }
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
