package org.posthorn.log;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A SOCK_DGRAM socket in the UNIX domain, which java.nio lacks, through the FFM API:
 * socket(2), connect(2)/bind(2), send(2)/recv(2), close(2). Used to talk to syslog on
 * /dev/log; bind and receive serve tests and local listeners.
 */
@SuppressWarnings("restricted") // native access is what this class is for
public final class UnixDatagram implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int EAGAIN = 11;
    /** struct sockaddr_un: sa_family_t then 108 bytes of path. */
    private static final int SUN_PATH = 108;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = function("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CONNECT = function("connect",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = function("bind",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SEND = function("send",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = function("recv",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = function("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private final int fd;
    private final Path path;

    private UnixDatagram(int fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor,
                Linker.Option.captureCallState("errno"));
    }

    /** A socket connected to the datagram socket at {@code path} (e.g. /dev/log). */
    public static UnixDatagram connect(Path path) throws IOException {
        return open(path, CONNECT, "connect");
    }

    /** A socket bound at {@code path}, receiving datagrams. */
    public static UnixDatagram bind(Path path) throws IOException {
        return open(path, BIND, "bind");
    }

    private static UnixDatagram open(Path path, MethodHandle call, String what) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) SOCKET.invokeExact(state, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) throw failure("socket", state);
            MemorySegment addr = sockaddr(arena, path);
            int rc = (int) call.invokeExact(state, fd, addr, (int) addr.byteSize());
            if (rc < 0) {
                IOException e = failure(what + " " + path, state);
                int ignored = (int) CLOSE.invokeExact(state, fd);
                throw e;
            }
            return new UnixDatagram(fd, path);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(what + " " + path + ": " + t, t);
        }
    }

    private static MemorySegment sockaddr(Arena arena, Path path) throws IOException {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH) throw new IOException("socket path too long: " + path);
        MemorySegment addr = arena.allocate(2 + name.length + 1L);
        addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(name, 0, addr, ValueLayout.JAVA_BYTE, 2, name.length);
        return addr;
    }

    /** Sends one datagram. */
    public void send(byte[] data) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment buf = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            long n = (long) SEND.invokeExact(state, fd, buf, (long) data.length, MSG_NOSIGNAL);
            if (n < 0) throw failure("send to " + path, state);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("send to " + path + ": " + t, t);
        }
    }

    /** Receives one datagram, waiting up to {@code timeoutMillis}; null when none came. */
    public byte[] receive(int maxBytes, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment buf = arena.allocate(maxBytes);
            while (true) {
                long n = (long) RECV.invokeExact(state, fd, buf, (long) maxBytes, MSG_DONTWAIT);
                if (n >= 0) return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                if ((int) ERRNO.get(state, 0L) != EAGAIN) throw failure("recv on " + path, state);
                if (System.nanoTime() > deadline) return null;
                Thread.sleep(5);
            }
        } catch (IOException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Throwable t) {
            throw new IOException("recv on " + path + ": " + t, t);
        }
    }

    @Override
    public void close() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int ignored = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable ignored) {
            // closing: nothing to do about a failure
        }
    }

    private static IOException failure(String what, MemorySegment state) {
        int errno = (int) ERRNO.get(state, 0L);
        String text;
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            text = s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            text = "errno " + errno;
        }
        return new IOException(what + ": " + text);
    }
}
