package org.posthorn.master;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.posthorn.log.Log;

/**
 * The listening sockets of one master.cf row: one or more inet addresses, or a UNIX-domain
 * socket under public/ or private/. The sockets outlive reloads: accepted connections go to
 * the row's current {@link ServiceRunner}, so a reload never refuses a connection.
 */
final class Endpoint {
    private final List<SocketAddress> addresses;
    private final List<ServerSocketChannel> channels;
    private final Path socketFile;
    private final AtomicReference<ServiceRunner> runner = new AtomicReference<>();
    private final Log log;
    private final List<Thread> acceptors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private Endpoint(List<SocketAddress> addresses, List<ServerSocketChannel> channels, Path socketFile, Log log) {
        this.addresses = addresses;
        this.channels = channels;
        this.socketFile = socketFile;
        this.log = log;
    }

    /** Binds every address; the message of a failure is Postfix's "bind ADDR port N: reason". */
    static Endpoint bindInet(List<InetSocketAddress> addresses, int backlog, Log log) throws IOException {
        List<ServerSocketChannel> channels = new ArrayList<>();
        try {
            for (InetSocketAddress a : addresses) {
                ServerSocketChannel ch = ServerSocketChannel.open();
                channels.add(ch);
                ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
                try {
                    ch.bind(a, backlog);
                } catch (IOException e) {
                    String reason = e instanceof BindException && e.getMessage() != null ? e.getMessage() : e.toString();
                    throw new IOException("bind " + a.getAddress().getHostAddress() + " port " + a.getPort() + ": " + reason);
                }
            }
        } catch (IOException e) {
            for (ServerSocketChannel ch : channels) ch.close();
            throw e;
        }
        return new Endpoint(List.copyOf(addresses), channels, null, log);
    }

    /** Binds a UNIX-domain socket, replacing a stale socket file left by an earlier master. */
    static Endpoint bindUnix(Path file, int backlog, Log log) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(file), backlog);
        } catch (IOException e) {
            ch.close();
            throw new IOException("bind " + file + ": " + (e.getMessage() != null ? e.getMessage() : e));
        }
        // clients are kept out by the directory's mode (public/ 0710, private/ 0700), as with Postfix
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        return new Endpoint(List.of(UnixDomainSocketAddress.of(file)), List.of(ch), file, log);
    }

    boolean sameAddresses(List<? extends SocketAddress> other) {
        return addresses.equals(other);
    }

    /** Hands new connections to {@code next}; starts the accept loops the first time. */
    void serve(ServiceRunner next) {
        ServiceRunner previous = runner.getAndSet(next);
        if (previous != null) return;
        for (ServerSocketChannel ch : channels) {
            acceptors.add(Thread.ofPlatform().daemon().name("accept " + next.describe()).start(() -> acceptLoop(ch)));
        }
    }

    private void acceptLoop(ServerSocketChannel channel) {
        while (!closed) {
            ServiceRunner r = runner.get();
            try {
                if (!r.admit()) {
                    if (r == runner.get()) Thread.sleep(50);
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            }
            SocketChannel connection;
            try {
                connection = channel.accept();
            } catch (ClosedChannelException e) {
                r.release();
                return;
            } catch (IOException e) {
                r.release();
                log.warning("accept %s: %s", addresses.get(0), e.getMessage());
                sleepQuietly();
                continue;
            }
            if (closed) {
                // accepted while close() was on its way: the row is gone
                r.release();
                closeQuietly(connection);
                return;
            }
            ServiceRunner now = runner.get();
            if (now != r) {
                // reloaded while we waited in accept(): the new generation serves this one
                r.release();
                try {
                    if (!now.admit()) {
                        connection.close();
                        continue;
                    }
                } catch (InterruptedException | IOException e) {
                    return;
                }
                r = now;
            }
            r.dispatch(connection);
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel connection) {
        try {
            connection.close();
        } catch (IOException ignored) {
            // dropping it anyway
        }
    }

    /**
     * Stops accepting; connections already accepted go on. Returns once the listening
     * sockets are really closed: the JDK defers closing a socket until a thread blocked in
     * accept() on it has left, and until then the kernel still queues connections.
     */
    void close() {
        closed = true;
        for (ServerSocketChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a listener: nothing to recover
            }
        }
        for (Thread t : acceptors) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (socketFile != null) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException ignored) {
                // a stale socket file is replaced at the next bind
            }
        }
    }
}
