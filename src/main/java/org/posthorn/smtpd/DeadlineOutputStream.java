package org.posthorn.smtpd;

import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Gives socket writes the smtpd_timeout that socket reads get from SO_TIMEOUT: a client
 * that stops reading replies (a pipelining flood) cannot hold the session in a blocked
 * write; after the timeout the connection is closed and the write fails as a timeout.
 */
final class DeadlineOutputStream extends FilterOutputStream {
    /** A write that may block. */
    private interface Write {
        void run() throws IOException;
    }

    private final ScheduledExecutorService timer;
    private final Closeable connection;
    private final long millis;
    private volatile boolean expired;

    DeadlineOutputStream(OutputStream out, ScheduledExecutorService timer, Closeable connection, long millis) {
        super(out);
        this.timer = timer;
        this.connection = connection;
        this.millis = millis;
    }

    @Override
    public void write(int b) throws IOException {
        guarded(() -> out.write(b));
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        guarded(() -> out.write(b, off, len));
    }

    @Override
    public void flush() throws IOException {
        guarded(out::flush);
    }

    private void guarded(Write write) throws IOException {
        if (expired) throw new SocketTimeoutException("write timeout");
        ScheduledFuture<?> alarm = timer.schedule(this::expire, millis, TimeUnit.MILLISECONDS);
        try {
            write.run();
        } catch (IOException e) {
            if (expired) throw new SocketTimeoutException("write timeout");
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    private void expire() {
        expired = true;
        try {
            connection.close();
        } catch (IOException ignored) {
            // closing is all we can do
        }
    }
}
