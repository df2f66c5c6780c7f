package org.posthorn.master;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The client side of the master's public sockets, $queue_directory/public/NAME (pickup,
 * qmgr, flush, showq), for commands; the protocol is in docs/public-sockets.md. A trigger
 * is a few bytes written to the socket and a close; request/reply services (showq, flush)
 * are reached with {@link #connect}.
 */
public final class PublicSocket {
    /** qmgr trigger: scan the incoming queue. */
    public static final char QMGR_SCAN_INCOMING = 'I';
    /** qmgr trigger: scan the deferred queue. */
    public static final char QMGR_SCAN_DEFERRED = 'D';
    /** qmgr trigger: ignore deferred queue file time stamps at the next scan. */
    public static final char QMGR_SCAN_ALL = 'A';
    /** qmgr trigger: forget that sites and transports are dead. */
    public static final char QMGR_FLUSH_DEAD = 'F';
    /** Any trigger server: wake up (qmgr treats it as I). */
    public static final char WAKEUP = 'W';
    /** What {@code postqueue -f} and {@code postfix flush} send to qmgr. */
    public static final String FLUSH_DEFERRED = "FADI";

    private PublicSocket() {
    }

    /** The socket file of a public service. */
    public static Path path(Path queueDirectory, String service) {
        return queueDirectory.resolve("public").resolve(service);
    }

    /**
     * Writes trigger bytes to a public service and closes. False when the service does not
     * listen (no socket file, or nobody accepting: the mail system is down).
     */
    public static boolean trigger(Path queueDirectory, String service, String bytes) {
        Path file = path(queueDirectory, service);
        if (!Files.exists(file)) return false;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(file));
            ByteBuffer buf = ByteBuffer.wrap(bytes.getBytes(StandardCharsets.US_ASCII));
            while (buf.hasRemaining()) ch.write(buf);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A connection to a request/reply service (showq, flush); the caller speaks its protocol. */
    public static SocketChannel connect(Path queueDirectory, String service) throws IOException {
        Path file = path(queueDirectory, service);
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(file));
            return ch;
        } catch (IOException e) {
            ch.close();
            throw new IOException("connect to " + file + ": " + (e.getMessage() != null ? e.getMessage() : e));
        }
    }
}
