package org.posthorn.queue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * syncfs(2) through the FFM API: one call that writes back every dirty file of a file
 * system and commits its journal once, the batch sync behind {@link SyncPoint}. The JDK has
 * no API for it. {@link #available()} is false where the C library lacks syncfs (not Linux)
 * or native access is denied; callers then force file by file.
 */
@SuppressWarnings("restricted") // native access is what this class is for
final class FileSystemSync {
    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0200000; // Linux value, octal
    private static final int O_CLOEXEC = 02000000;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN;
    private static final MethodHandle SYNCFS;
    private static final MethodHandle CLOSE;

    static {
        MethodHandle open = null, syncfs = null, close = null;
        try {
            Linker linker = Linker.nativeLinker();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), errno);
            syncfs = linker.downcallHandle(linker.defaultLookup().find("syncfs").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
            close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        } catch (RuntimeException | Error e) {
            open = syncfs = close = null; // no syncfs here, or native access denied: force per file
        }
        OPEN = open;
        SYNCFS = syncfs;
        CLOSE = close;
    }

    private FileSystemSync() {
    }

    static boolean available() {
        return SYNCFS != null;
    }

    /** Forces everything written to the file system that holds directory dir. */
    static void syncfs(Path dir) throws IOException {
        if (!available()) throw new IOException("syncfs is not available");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(dir.toString()), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0) throw new IOException("open " + dir + ": errno " + (int) ERRNO.get(state, 0L));
            try {
                if ((int) SYNCFS.invokeExact(state, fd) < 0) {
                    throw new IOException("syncfs " + dir + ": errno " + (int) ERRNO.get(state, 0L));
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("syncfs " + dir + ": " + t, t);
        }
    }
}
