package org.posthorn.master;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** The POSIX calls the JDK has no API for that the master needs: setsid(2), kill(2) and signal(2). */
@SuppressWarnings("restricted") // native access is what this class is for
final class Posix {
    static final int SIGHUP = 1;
    static final int SIGINT = 2;
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SETSID = LINKER.downcallHandle(
            LINKER.defaultLookup().find("setsid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle KILL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("kill").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private static final MethodHandle SIGNAL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("signal").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private Posix() {
    }

    /** Leaves the caller's session and process group, so the terminal's signals no longer reach us. */
    static boolean setsid() {
        try {
            return (int) SETSID.invokeExact() >= 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * Gives a signal its default action again. A signal ignored when the JVM started (nohup
     * ignores SIGHUP, a shell's background job SIGINT) keeps being ignored by the JVM's own
     * handler registration, silently; false on failure.
     */
    static boolean defaultAction(int signal) {
        try {
            MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(signal, MemorySegment.NULL);
            return previous.address() != -1L; // SIG_ERR
        } catch (Throwable t) {
            return false;
        }
    }

    /** Sends {@code signal} to {@code pid} (a negative pid names a process group); false on failure. */
    static boolean kill(long pid, int signal) {
        try {
            return (int) KILL.invokeExact((int) pid, signal) == 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
