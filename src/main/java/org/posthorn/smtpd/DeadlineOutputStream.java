package org.posthorn.smtpd;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import org.posthorn.util.Watchdog;

/**
 * Gives socket writes the smtpd_timeout that socket reads get from SO_TIMEOUT: a client
 * that stops reading replies (a pipelining flood) cannot hold the session in a blocked
 * write; after the timeout the alarm closes the connection and the write fails as a timeout.
 */
final class DeadlineOutputStream extends FilterOutputStream {
    /** A write that may block. */
    private interface Write {
        void run() throws IOException;
    }

    private final Watchdog.Alarm alarm;
    private final long millis;

    /** @param alarm the connection's alarm, whose expiry closes the connection */
    DeadlineOutputStream(OutputStream out, Watchdog.Alarm alarm, long millis) {
        super(out);
        this.alarm = alarm;
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
        if (alarm.expired()) throw new SocketTimeoutException("write timeout");
        alarm.arm(millis);
        try {
            write.run();
        } catch (IOException e) {
            if (alarm.expired()) throw new SocketTimeoutException("write timeout");
            throw e;
        } finally {
            alarm.disarm();
        }
    }
}
