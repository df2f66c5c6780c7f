package org.posthorn.proxymap;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.posthorn.config.Config;
import org.posthorn.rewrite.AttributeStream;
import org.posthorn.table.ProxyClient;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;
import org.posthorn.table.TableFactory;

/**
 * proxy: tables for commands (postmap -q KEY proxy:type:name): requests go to the running
 * master's $queue_directory/private/proxymap (proxywrite for writing), so the command sees
 * what the daemons see, approval check included, as with Postfix. With no master running the
 * command opens the table itself (Postfix would fail to connect).
 */
public final class ProxymapClient implements ProxyClient {
    private final Path readSocket;
    private final Path writeSocket;

    private ProxymapClient(Path readSocket, Path writeSocket) {
        this.readSocket = readSocket;
        this.writeSocket = writeSocket;
    }

    /** Routes this command's proxy: tables through the master's proxymap service. */
    public static void install(Config config) {
        Path priv = Path.of(config.get("queue_directory")).resolve("private");
        TableFactory.setProxy(new ProxymapClient(priv.resolve(config.get("proxymap_service_name")),
                priv.resolve(config.get("proxywrite_service_name"))));
    }

    @Override
    public Table open(String table, boolean foldKeys, boolean write) throws TableException {
        Path socket = write ? writeSocket : readSocket;
        if (!Files.exists(socket)) return null;
        Connection c;
        try {
            c = new Connection(socket);
        } catch (IOException e) {
            return null; // a socket left behind by a master that is gone
        }
        int flags = foldKeys ? ProxyStatus.FOLD_FIX : 0;
        String service = SharedProxymap.serviceName(write);
        Map<String, String> reply = c.call(service, table, "request", "open", "table", table, "flags", Integer.toString(flags));
        int status = status(reply);
        if (status == ProxyStatus.DENY) {
            c.close();
            throw new TableException(service + " service is not configured for table \"" + table + "\"");
        }
        if (status != ProxyStatus.OK) {
            c.close();
            throw new TableException("table proxy:" + table + ": open error: " + service + " status " + status);
        }
        return new Table() {
            @Override
            public String name() {
                return "proxy:" + table;
            }

            @Override
            public String lookup(String key) throws TableException {
                Map<String, String> r = c.call(service, table, "request", "lookup", "table", table,
                        "flags", Integer.toString(flags), "key", key);
                return switch (status(r)) {
                    case ProxyStatus.OK -> r.getOrDefault("value", "");
                    case ProxyStatus.NOKEY -> null;
                    default -> throw new TableException("table proxy:" + table + ": query error: Application error");
                };
            }

            @Override
            public void update(String key, String value) throws TableException {
                Map<String, String> r = c.call(service, table, "request", "update", "table", table,
                        "flags", Integer.toString(flags), "key", key, "value", value);
                if (status(r) != ProxyStatus.OK) throw new TableException("table proxy:" + table + ": update error");
            }

            @Override
            public boolean delete(String key) throws TableException {
                Map<String, String> r = c.call(service, table, "request", "delete", "table", table,
                        "flags", Integer.toString(flags), "key", key);
                int s = status(r);
                if (s != ProxyStatus.OK && s != ProxyStatus.NOKEY) throw new TableException("table proxy:" + table + ": delete error");
                return s == ProxyStatus.OK;
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    private static int status(Map<String, String> reply) {
        try {
            return Integer.parseInt(reply.getOrDefault("status", "-1"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One connection to the service; requests on it are sent one at a time. */
    private static final class Connection {
        private final SocketChannel channel;
        private final AttributeStream stream;
        private final ReentrantLock lock = new ReentrantLock();

        Connection(Path socket) throws IOException {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            stream = new AttributeStream(new BufferedInputStream(Channels.newInputStream(channel)),
                    new BufferedOutputStream(Channels.newOutputStream(channel)));
        }

        Map<String, String> call(String service, String table, String... attributes) throws TableException {
            lock.lock();
            try {
                stream.write(attributes);
                Map<String, String> reply = stream.read();
                if (reply == null) throw new IOException("connection closed");
                return reply;
            } catch (IOException e) {
                throw new TableException("table proxy:" + table + ": " + service + " service: " + e.getMessage(), e);
            } finally {
                lock.unlock();
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closed either way
            }
        }
    }
}
