package org.posthorn.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.posthorn.util.Watchdog;

/**
 * A client connection to an SMTP or LMTP server: buffered command output, replies assembled by
 * a {@link ReplyParser}, and a deadline on every phase (smtp_*_timeout). A watchdog closes the
 * channel when a deadline passes, which ends a blocked read or write of TCP and UNIX-domain
 * sockets alike; the blocked call then reports a {@link Timeout}. After STARTTLS (or at once in
 * wrapper mode) the same channel carries a JSSE client socket layered over it.
 */
final class SmtpConnection implements AutoCloseable {
    /** The phase's deadline passed. */
    static final class Timeout extends IOException {
        private static final long serialVersionUID = 1L;

        Timeout() {
            super("timeout");
        }
    }

    /** The server closed the connection. */
    static final class Lost extends IOException {
        private static final long serialVersionUID = 1L;

        Lost() {
            super("lost connection");
        }
    }

    private static final int OUT_LIMIT = 64 * 1024;

    private final Target target;
    private final SocketChannel channel;
    private ReplyParser parser = new ReplyParser();
    private final ByteBuffer in = ByteBuffer.allocate(8192);
    /** Starts small (most commands and messages are short); grows to OUT_LIMIT when filled. */
    private ByteBuffer out = ByteBuffer.allocate(8192);
    private final Watchdog.Alarm alarm;
    private long timeoutMillis;
    private SSLSocket tls;
    private InputStream tlsIn;
    private OutputStream tlsOut;

    private SmtpConnection(Target target, SocketChannel channel) {
        this.target = target;
        this.channel = channel;
        this.alarm = Watchdog.SHARED.closing(channel);
    }

    /** Connects within timeoutMillis (0 = the system's own limit). */
    static SmtpConnection connect(Target target, long timeoutMillis) throws IOException {
        if (target.address() instanceof InetSocketAddress inet) {
            SocketChannel ch = SocketChannel.open();
            try {
                ch.socket().connect(inet, (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
                ch.socket().setTcpNoDelay(true);
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            return new SmtpConnection(target, ch);
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(target.address());
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new SmtpConnection(target, ch);
    }

    Target target() {
        return target;
    }

    /** Sets the deadline for what follows (until the next call): timeoutMillis from now, 0 = none. */
    void deadline(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /** Queues a command line (CRLF added); written at the next {@link #flush} or read. */
    void command(String line) throws IOException {
        byte[] b = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
        write(b, 0, b.length);
    }

    /** Queues raw bytes, writing out the buffer whenever it fills. */
    void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (!out.hasRemaining()) {
                if (out.capacity() < OUT_LIMIT) {
                    // a message that fills the first buffer is likely big: go to the limit at once
                    out = ByteBuffer.allocate(OUT_LIMIT).put(out.flip());
                } else {
                    flush();
                }
            }
            int n = Math.min(len, out.remaining());
            out.put(b, off, n);
            off += n;
            len -= n;
        }
    }

    void flush() throws IOException {
        out.flip();
        arm();
        try {
            if (tlsOut != null) {
                tlsOut.write(out.array(), 0, out.limit());
                tlsOut.flush();
            } else {
                while (out.hasRemaining()) channel.write(out);
            }
        } catch (IOException e) {
            throw translate(e);
        } finally {
            disarm();
            out.clear();
        }
    }

    /** Writes pending output, then waits for the next complete reply. */
    Reply reply() throws IOException {
        if (out.position() > 0) flush();
        Reply r = parser.poll();
        if (r != null) return r;
        arm();
        try {
            while ((r = parser.poll()) == null) {
                in.clear();
                int n = tlsIn != null ? tlsIn.read(in.array(), 0, in.capacity()) : channel.read(in);
                if (n < 0) throw new Lost();
                parser.feed(in.array(), 0, n);
            }
            return r;
        } catch (IOException e) {
            throw translate(e);
        } finally {
            disarm();
        }
    }

    /**
     * Runs the TLS handshake over this connection (after a 220 reply to STARTTLS, or right
     * after connecting in wrapper mode) within the current deadline. Anything the server
     * sent before the handshake and we have not read is discarded, never read as a reply
     * inside TLS. peerHost and peerPort name the session for resumption (null: none).
     *
     * @throws Timeout when the deadline passes; other IOExceptions are handshake failures
     */
    void startTls(SSLContext context, SSLParameters parameters, String peerHost, int peerPort) throws IOException {
        if (!(target.address() instanceof java.net.InetSocketAddress)) {
            throw new IOException("TLS over a UNIX-domain socket is not supported");
        }
        parser = new ReplyParser();
        arm();
        try {
            SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(channel.socket(), peerHost, peerPort, true);
            s.setUseClientMode(true);
            s.setSSLParameters(parameters);
            s.startHandshake();
            tls = s;
            tlsIn = s.getInputStream();
            tlsOut = s.getOutputStream();
        } catch (IOException e) {
            if (alarm.expired()) throw new Timeout();
            throw e;
        } finally {
            disarm();
        }
    }

    /** The TLS session, or null before TLS. */
    SSLSession tlsSession() {
        return tls == null ? null : tls.getSession();
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    private IOException translate(IOException e) {
        if (alarm.expired()) return new Timeout();
        if (e instanceof Timeout || e instanceof Lost) return e;
        Lost lost = new Lost();
        lost.initCause(e);
        return lost;
    }

    private void arm() {
        alarm.arm(timeoutMillis);
    }

    private void disarm() {
        alarm.disarm();
    }

    @Override
    public void close() {
        alarm.close();
        if (tls != null && channel.isOpen()) {
            try {
                tls.close(); // close_notify, then the channel below
            } catch (IOException e) {
                // closing the channel below is enough
            }
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
