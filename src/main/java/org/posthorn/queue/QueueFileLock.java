package org.posthorn.queue;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A flock(2) lock on a queue file, the lock Postfix's delivery agents and postsuper use
 * on Linux (INTERNAL_LOCK). qmgr takes it shared for each delivery of a message in
 * active/; postsuper takes it exclusive before it deletes, moves or re-flags an active
 * message, so it waits for deliveries in flight and never moves a file under an agent
 * that is about to mark recipients done.
 *
 * <p>Why flock and not {@code FileChannel.lock}: the JDK's lock is an fcntl(2) lock,
 * which the kernel drops when any descriptor of the file in the process is closed, and
 * the master's JVM opens and closes queue files all the time (marking recipients done).
 * flock locks belong to one open file description, so they survive that, and several
 * shared locks in one process coexist.
 */
@SuppressWarnings("restricted") // native access is what this class is for
public final class QueueFileLock implements Closeable {
    // open(2) and flock(2) constants as Linux (x86-64, aarch64) defines them
    private static final int O_RDONLY = 0;
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_CLOEXEC = 02000000;
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    /** open(2) is variadic: the mode is passed as its variadic argument. */
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FLOCK = LINKER.downcallHandle(LINKER.defaultLookup().find("flock").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final Path file;
    private final Object inode;
    private int fd;

    private QueueFileLock(Path file, Object inode, int fd) {
        this.file = file;
        this.inode = inode;
        this.fd = fd;
    }

    /**
     * Opens a queue file for locking (read-only, links not followed). Throws
     * NoSuchFileException when it is not there.
     */
    public static QueueFileLock open(Path file) throws IOException {
        return open(file, fileKey(file));
    }

    /**
     * As {@link #open(Path)}, for a caller that has just read the file's
     * {@link BasicFileAttributes#fileKey() key} (qmgr, when it moved the file into active/):
     * {@link #stillAt} then checks against that, and the open needs no stat of its own.
     */
    public static QueueFileLock open(Path file, Object fileKey) throws IOException {
        Object inode = fileKey != null ? fileKey : fileKey(file);
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(arena.allocateFrom(file.toString()), O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
        } catch (Throwable t) {
            throw new IOException("open " + file + ": " + t, t);
        }
        if (fd < 0) {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) throw new NoSuchFileException(file.toString());
            throw new IOException("open " + file + ": cannot open for locking");
        }
        return new QueueFileLock(file, inode, fd);
    }

    /** Takes a shared lock if nobody holds an exclusive one; false otherwise. */
    public boolean tryShared() {
        return flock(LOCK_SH | LOCK_NB);
    }

    /** Takes an exclusive lock if nobody holds any; false otherwise. */
    public boolean tryExclusive() {
        return flock(LOCK_EX | LOCK_NB);
    }

    /** Waits until no other lock is held, then holds an exclusive one. */
    public void exclusive() throws IOException {
        if (!flock(LOCK_EX)) throw new IOException("lock " + file + ": flock failed");
    }

    /**
     * Whether the path still names the file this lock holds open: false when it was
     * removed or renamed meanwhile (then whoever locked it before us moved it away).
     */
    public boolean stillAt(Path path) {
        try {
            return inode.equals(fileKey(path));
        } catch (IOException e) {
            return false;
        }
    }

    private boolean flock(int op) {
        if (fd < 0) return false;
        try {
            return (int) FLOCK.invokeExact(fd, op) == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /** The file's identity: its device and inode number. */
    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** Closes the descriptor, which releases the lock. */
    @Override
    public void close() {
        if (fd < 0) return;
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // nothing more to do: the descriptor is gone either way
        }
        fd = -1;
    }
}
