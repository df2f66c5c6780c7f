package org.posthorn.sasl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A line-oriented connection to an authentication server named as Postfix names one in
 * smtpd_sasl_path: {@code inet:host:port}, {@code unix:path}, or a path (relative paths are
 * under the queue directory, e.g. {@code private/auth}). Every read has a deadline.
 */
final class AuthSocket implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sasl-auth-timeout");
        t.setDaemon(true);
        return t;
    });
    private static final int MAX_LINE = 65536;

    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private final long timeoutMillis;
    private final byte[] buffer = new byte[8192];
    private int start;
    private int end;

    private AuthSocket(SocketChannel channel, long timeoutMillis) {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
        this.timeoutMillis = timeoutMillis;
    }

    /** The socket address a smtpd_sasl_path value names. */
    static SocketAddress address(String path, Path queueDirectory) {
        if (path.startsWith("inet:")) {
            String hostPort = path.substring(5);
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) throw new IllegalArgumentException("missing port in \"" + path + "\"");
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
        }
        String file = path.startsWith("unix:") ? path.substring(5) : path;
        Path p = Path.of(file);
        if (!p.isAbsolute() && queueDirectory != null) p = queueDirectory.resolve(p);
        return UnixDomainSocketAddress.of(p);
    }

    static AuthSocket connect(SocketAddress address, long timeoutMillis) throws IOException {
        SocketChannel channel = SocketChannel.open(address instanceof UnixDomainSocketAddress
                ? java.net.StandardProtocolFamily.UNIX : (((InetSocketAddress) address).getAddress()
                instanceof java.net.Inet6Address ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET));
        ScheduledFuture<?> watchdog = TIMER.schedule(() -> closeQuietly(channel), timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            channel.connect(address);
        } catch (IOException e) {
            closeQuietly(channel);
            throw e;
        } finally {
            watchdog.cancel(false);
        }
        return new AuthSocket(channel, timeoutMillis);
    }

    void writeLine(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next line without its newline; an IOException when the server closes or is too slow. */
    String readLine() throws IOException {
        ScheduledFuture<?> watchdog = TIMER.schedule(() -> closeQuietly(channel), timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            for (;;) {
                if (start == end) {
                    int n = in.read(buffer);
                    if (n < 0) throw new IOException("connection closed by the authentication server");
                    start = 0;
                    end = n;
                }
                while (start < end) {
                    byte b = buffer[start++];
                    if (b == '\n') return line.toString(StandardCharsets.UTF_8);
                    if (line.size() >= MAX_LINE) throw new IOException("line from the authentication server too long");
                    line.write(b);
                }
            }
        } finally {
            watchdog.cancel(false);
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
