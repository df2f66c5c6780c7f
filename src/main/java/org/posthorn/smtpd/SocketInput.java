package org.posthorn.smtpd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's bytes, read the way a lightly loaded server can afford: when few sessions are
 * open, a read that finds nothing tries again for a short while before the virtual thread
 * parks. A client answers a reply within tens of microseconds, while a park costs two
 * wake-ups (the poller's, then a carrier's) of about that much each. Under load, when the
 * CPUs have other sessions to run, reads park at once.
 */
final class SocketInput extends InputStream {
    /** Sessions open in this JVM (each counts from its construction to its close). */
    private static final AtomicInteger OPEN = new AtomicInteger();
    /** Spin only while at most this many sessions are open: one per two CPUs, at least one. */
    private static final int SPIN_SESSIONS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    /** How long a read tries before it parks: system property posthorn.smtpd.spin, microseconds (0: never). */
    private static final long SPIN_NANOS = Long.getLong("posthorn.smtpd.spin", 100) * 1000;

    private final SocketChannel channel;
    private final InputStream blocking;
    private final long spinNanos;
    private boolean closed;
    /** Reads that found their bytes while spinning (for tests). */
    long spunReads;

    /** @param blocking the channel's socket input stream (it honours SO_TIMEOUT) */
    SocketInput(SocketChannel channel, InputStream blocking) {
        this(channel, blocking, SPIN_NANOS);
    }

    SocketInput(SocketChannel channel, InputStream blocking, long spinNanos) {
        this.channel = channel;
        this.blocking = blocking;
        this.spinNanos = spinNanos;
        OPEN.incrementAndGet();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (spinNanos > 0 && OPEN.get() <= SPIN_SESSIONS) {
            int n = spin(ByteBuffer.wrap(b, off, len));
            if (n != 0) {
                spunReads++;
                return n;
            }
        }
        return blocking.read(b, off, len);
    }

    private int spin(ByteBuffer dst) throws IOException {
        channel.configureBlocking(false);
        try {
            long deadline = System.nanoTime() + spinNanos;
            do {
                int n = channel.read(dst);
                if (n != 0) return n;
                Thread.onSpinWait();
            } while (System.nanoTime() - deadline < 0);
            return 0;
        } finally {
            channel.configureBlocking(true);
        }
    }

    @Override
    public int available() throws IOException {
        return blocking.available();
    }

    static int open() {
        return OPEN.get();
    }

    /** Ends this session's count; the socket itself is closed by its owner. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            OPEN.decrementAndGet();
        }
    }
}
