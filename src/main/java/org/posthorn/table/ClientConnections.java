package org.posthorn.table;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reusable client connections to one table server (socketmap, tcp, memcache), named as
 * Postfix names endpoints: inet:host:port, unix:/path, or host:port. A connection idle
 * longer than maxIdle or older than maxTtl is closed instead of reused (Postfix's
 * auto_clnt); I/O on inet connections times out after {@code timeout} seconds.
 */
final class ClientConnections implements AutoCloseable {
    private static final int MAX_IDLE_CONNECTIONS = 8;

    /** One open connection with buffered streams. */
    static final class Conn implements Closeable {
        final InputStream in;
        final OutputStream out;
        private final Closeable socket;
        private final long created;
        private long lastUsed;

        private Conn(Closeable socket, InputStream in, OutputStream out) {
            this.socket = socket;
            this.in = new BufferedInputStream(in, 8192);
            this.out = new BufferedOutputStream(out, 8192);
            this.created = this.lastUsed = System.currentTimeMillis();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // dropped either way
            }
        }
    }

    private final String endpoint;
    private final int timeoutMillis;
    private final long maxIdleMillis;
    private final long maxTtlMillis;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Conn> idle = new ArrayDeque<>();

    ClientConnections(String endpoint, int timeoutSeconds, int maxIdleSeconds, int maxTtlSeconds) {
        this.endpoint = endpoint;
        this.timeoutMillis = timeoutSeconds * 1000;
        this.maxIdleMillis = maxIdleSeconds * 1000L;
        this.maxTtlMillis = maxTtlSeconds * 1000L;
    }

    String endpoint() {
        return endpoint;
    }

    /** An idle connection still fresh enough, or a new one. */
    Conn get() throws IOException {
        long now = System.currentTimeMillis();
        lock.lock();
        try {
            Conn c;
            while ((c = idle.pollLast()) != null) {
                if (now - c.lastUsed < maxIdleMillis && now - c.created < maxTtlMillis) return c;
                c.close();
            }
        } finally {
            lock.unlock();
        }
        return open();
    }

    /** Gives a connection back after a complete request and reply. */
    void release(Conn c) {
        c.lastUsed = System.currentTimeMillis();
        lock.lock();
        try {
            if (idle.size() < MAX_IDLE_CONNECTIONS) {
                idle.addLast(c);
                return;
            }
        } finally {
            lock.unlock();
        }
        c.close();
    }

    private Conn open() throws IOException {
        String e = endpoint;
        if (e.startsWith("unix:")) {
            SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(e.substring(5))));
            return new Conn(ch, Channels.newInputStream(ch), Channels.newOutputStream(ch));
        }
        if (e.startsWith("inet:")) e = e.substring(5);
        int colon = e.lastIndexOf(':');
        if (colon <= 0) throw new IOException("bad endpoint syntax: " + endpoint);
        String host = e.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(e.substring(colon + 1));
        } catch (NumberFormatException x) {
            throw new IOException("bad port in endpoint: " + endpoint);
        }
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            return new Conn(s, s.getInputStream(), s.getOutputStream());
        } catch (IOException x) {
            s.close();
            throw x;
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            idle.forEach(Conn::close);
            idle.clear();
        } finally {
            lock.unlock();
        }
    }
}
