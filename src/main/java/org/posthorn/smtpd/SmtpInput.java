package org.posthorn.smtpd;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The client side of an SMTP connection as lines and byte counts, read through one bounded
 * buffer so that no client can make the server hold more than a line of input. The buffer
 * starts small (an idle session holds little) and grows while reads fill it (message content).
 */
final class SmtpInput {
    /** How a line read by {@link #readLine} ended. */
    enum Ending {
        /** CR LF (the CR is not part of the line). */
        CRLF,
        /** A bare LF. */
        LF,
        /** The line reached the length limit; the rest follows in the next read. */
        CUT
    }

    /** Called before the reader blocks on the socket: the session flushes pending replies. */
    interface BeforeBlock {
        void run() throws IOException;
    }

    private InputStream in;
    private byte[] buf;
    private final int maxBuffer;
    private int pos;
    private int lim;
    private BeforeBlock beforeBlock = () -> { };
    private long bytesRead;

    SmtpInput(InputStream in, int initialBuffer, int maxBuffer) {
        this.in = in;
        this.buf = new byte[initialBuffer];
        this.maxBuffer = Math.max(initialBuffer, maxBuffer);
    }

    void beforeBlock(BeforeBlock hook) {
        this.beforeBlock = hook;
    }

    /**
     * Reads one line into {@code line} (cleared first), at most {@code limit} bytes. A CR
     * right before the LF is dropped; with {@code stripAllCr} every CR before the LF is
     * dropped (Postfix before 3.9 took {@code .<CR><CR><LF>} as a dot line).
     *
     * @throws EOFException when the client closes the connection
     */
    Ending readLine(LineBuffer line, int limit, boolean stripAllCr) throws IOException {
        line.clear();
        for (;;) {
            if (pos == lim && !fill()) throw new EOFException("lost connection");
            int start = pos;
            int room = limit - line.length();
            int end = Math.min(lim, pos + room + 1);
            int lf = -1;
            for (int i = start; i < end; i++) {
                if (buf[i] == '\n') {
                    lf = i;
                    break;
                }
            }
            if (lf >= 0) {
                line.append(buf, start, lf - start);
                pos = lf + 1;
                if (line.length() > 0 && line.last() == '\r') {
                    line.drop(1);
                    if (stripAllCr) while (line.length() > 0 && line.last() == '\r') line.drop(1);
                    return Ending.CRLF;
                }
                return Ending.LF;
            }
            int n = Math.min(end, lim) - start;
            if (n > room) n = room;
            line.append(buf, start, n);
            pos = start + n;
            if (line.length() >= limit) return Ending.CUT;
        }
    }

    /** Reads up to {@code max} bytes of a BDAT chunk into {@code dst}; at least one. */
    int read(byte[] dst, int off, int max) throws IOException {
        if (pos == lim && !fill()) throw new EOFException("lost connection");
        int n = Math.min(max, lim - pos);
        System.arraycopy(buf, pos, dst, off, n);
        pos += n;
        return n;
    }

    /** Skips the rest of a line cut at the limit, through the LF. */
    void skipLine() throws IOException {
        for (;;) {
            if (pos == lim && !fill()) throw new EOFException("lost connection");
            while (pos < lim) {
                if (buf[pos++] == '\n') return;
            }
        }
    }

    /** Whether the client has sent bytes that were not read yet (unauthorised pipelining test). */
    boolean pending() {
        if (pos < lim) return true;
        try {
            return in.available() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Up to {@code max} bytes of the unread input without consuming it (for the pipelining log line). */
    byte[] peek(int max) {
        if (pos == lim) {
            try {
                int avail = in.available();
                if (avail > 0) {
                    pos = 0;
                    int n = in.read(buf, 0, Math.min(avail, buf.length));
                    lim = Math.max(n, 0);
                    if (n > 0) bytesRead += n;
                }
            } catch (IOException e) {
                return new byte[0];
            }
        }
        int n = Math.min(max, lim - pos);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        return out;
    }

    /**
     * Reads from {@code next} from now on (the TLS layer after STARTTLS), throwing away input
     * that was read but not used: plaintext pipelined behind STARTTLS must never be taken as
     * commands of the TLS session (CVE-2011-0411). Returns how many bytes were dropped.
     */
    int switchTo(InputStream next) {
        int dropped = lim - pos;
        pos = 0;
        lim = 0;
        in = next;
        return dropped;
    }

    long bytesRead() {
        return bytesRead;
    }

    private boolean fill() throws IOException {
        // as Postfix: replies wait while input is buffered, and go out before the next read
        if (in.available() <= 0) beforeBlock.run();
        if (lim == buf.length && buf.length < maxBuffer) buf = new byte[Math.min(maxBuffer, buf.length * 2)];
        pos = 0;
        lim = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) return false;
        lim = n;
        bytesRead += n;
        return true;
    }
}
