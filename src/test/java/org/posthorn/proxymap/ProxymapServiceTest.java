package org.posthorn.proxymap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.config.MasterCf;
import org.posthorn.log.Log;
import org.posthorn.log.LogSink;
import org.posthorn.master.ServiceContext;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;
import org.posthorn.table.TableFactory;

/**
 * proxymap(8) in the master: proxy: tables of different sessions share one open instance,
 * tables missing from proxy_read_maps are refused with Postfix's warnings, only proxywrite
 * writes, and commands reach it over private/proxymap in Postfix's attribute protocol.
 */
class ProxymapServiceTest {
    @TempDir
    Path tmp;
    private final List<ProxymapService> started = new CopyOnWriteArrayList<>();
    private static final List<String> warnings = new CopyOnWriteArrayList<>();
    private static final LogSink SINK = (severity, tag, pid, text) -> {
        if (tag.endsWith("/proxymap") || tag.endsWith("/proxywrite")) warnings.add(text);
    };

    static {
        Log.addSink(SINK); // Log has no removeSink: one sink for the class, its list emptied per test
    }

    @AfterEach
    void stop() {
        started.forEach(ProxymapService::stop);
        TableFactory.setProxy(null);
        warnings.clear();
    }

    private Config config(String... extra) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        values.put("queue_directory", tmp.resolve("spool").toString());
        for (int i = 0; i < extra.length; i += 2) values.put(extra[i], extra[i + 1]);
        return Config.of(tmp, values);
    }

    /** Starts the service as master.cf row {@code name} would. */
    private Map<Class<?>, Object> start(String name, Config config) throws Exception {
        Map<Class<?>, Object> registered = new ConcurrentHashMap<>();
        MasterCf.Service row = new MasterCf.Service(name, "unix", "-", "-", "n", "-", name.equals("proxywrite") ? "1" : "-",
                "proxymap", List.of(), 1);
        ServiceContext ctx = context(row, config, registered);
        ProxymapService s = new ProxymapService();
        s.start(ctx);
        started.add(s);
        return registered;
    }

    private static ServiceContext context(MasterCf.Service row, Config config, Map<Class<?>, Object> registered) {
        Log log = Log.of("postfix", row.name());
        return new ServiceContext() {
            public MasterCf.Service entry() {
                return row;
            }

            public Config config() {
                return config;
            }

            public Log log() {
                return log;
            }

            public Path queueDirectory() {
                return Path.of(config.get("queue_directory"));
            }

            public <T> T seam(Class<T> type) {
                throw new IllegalStateException("none");
            }

            public <T> void register(Class<T> type, T implementation) {
                registered.put(type, implementation);
            }

            public boolean stopping() {
                return false;
            }
        };
    }

    @Test
    void sessionsShareOneOpenInstance() throws Exception {
        Path file = tmp.resolve("access");
        Files.writeString(file, "a@example.com OK\n");
        Config config = config("smtpd_recipient_restrictions", "check_recipient_access proxy:texthash:" + file);
        Map<Class<?>, Object> registered = start("proxymap", config);
        assertThat(registered).containsKey(Proxymap.class);

        // two sessions open the table, each on its own (as two smtpd processes would)
        Table first = TableFactory.openUncached("proxy:texthash:" + file, config, true);
        assertThat(first.lookup("A@example.com")).isEqualTo("OK");
        Files.writeString(file, "a@example.com REJECT\nb@example.com OK\n");
        Table second = TableFactory.openUncached("proxy:texthash:" + file, config, true);
        // texthash reads its file when opened: the second session sees the instance opened for the first
        assertThat(second.lookup("a@example.com")).isEqualTo("OK");
        assertThat(second.lookup("b@example.com")).isNull();
        assertThat(TableFactory.openUncached("texthash:" + file, config, true).lookup("a@example.com")).isEqualTo("REJECT");
        assertThat(SharedProxymap.INSTANCE.side(false).openCount()).isEqualTo(1);
        assertThat(first.name()).isEqualTo("proxy:texthash:" + file);
    }

    @Test
    void unapprovedTableIsRefusedWithPostfixWarnings() throws Exception {
        Path file = tmp.resolve("secret");
        Files.writeString(file, "k v\n");
        start("proxymap", config("virtual_alias_maps", "proxy:texthash:/elsewhere"));
        assertThatThrownBy(() -> TableFactory.openUncached("proxy:texthash:" + file, config(), true))
                .isInstanceOf(TableException.class)
                .hasMessage("proxymap service is not configured for table \"texthash:" + file + "\"");
        assertThat(warnings).containsExactly(
                "warning: request for unapproved table: \"texthash:" + file + "\"",
                "warning: to approve this table for read-only access, list proxy:texthash:" + file + " in main.cf:proxy_read_maps");
    }

    @Test
    void onlyProxywriteUpdatesAndOnlyProxyWriteMapsAreWritable() throws Exception {
        Path cache = tmp.resolve("verify");
        Config config = config("address_verify_map", "proxy:btree:" + cache, "virtual_alias_maps", "proxy:btree:" + cache);
        start("proxymap", config);
        start("proxywrite", config);
        Table rw = TableFactory.openForUpdate("proxy:btree:" + cache, config);
        rw.update("Sender@Example.com", "status=ok");
        assertThat(rw.lookup("sender@example.com")).isEqualTo("status=ok");
        Table ro = TableFactory.openUncached("proxy:btree:" + cache, config, true);
        assertThat(ro.lookup("sender@example.com")).isEqualTo("status=ok");
        assertThatThrownBy(() -> ro.update("x", "y")).isInstanceOf(TableException.class);
        assertThat(rw.delete("sender@example.com")).isTrue();
        assertThat(rw.lookup("sender@example.com")).isNull();
        // a write open of a table only in proxy_read_maps is refused by proxywrite
        Path other = tmp.resolve("other");
        Config c2 = config("virtual_alias_maps", "proxy:btree:" + other);
        assertThatThrownBy(() -> TableFactory.openForUpdate("proxy:btree:" + other, c2))
                .hasMessage("proxywrite service is not configured for table \"btree:" + other + "\"");
        assertThat(warnings).contains("warning: to approve this table for read-write access, list proxy:btree:" + other
                + " in main.cf:proxy_write_maps");
    }

    @Test
    void commandsReachTheServiceOverItsSocket() throws Exception {
        Path file = tmp.resolve("virtual");
        Files.writeString(file, "alias@example.com target@example.net\n");
        Config config = config("virtual_alias_maps", "proxy:texthash:" + file);
        start("proxymap", config);
        ProxymapService service = started.getFirst();
        Path socket = tmp.resolve("spool/private/proxymap");
        Files.createDirectories(socket.getParent());
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread accept = Thread.ofVirtual().start(() -> {
                while (server.isOpen()) {
                    try (SocketChannel c = server.accept()) {
                        service.serve(c, null);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            // the command side: no in-process service, only the socket
            TableFactory.setProxy(null);
            ProxymapClient.install(config);
            Table t = TableFactory.openUncached("proxy:texthash:" + file, config, true);
            assertThat(t.lookup("Alias@Example.com")).isEqualTo("target@example.net");
            assertThat(t.lookup("nobody@example.com")).isNull();
            t.close();
            assertThatThrownBy(() -> TableFactory.openUncached("proxy:texthash:/etc/passwd", config, true))
                    .hasMessage("proxymap service is not configured for table \"texthash:/etc/passwd\"");
            server.close();
            accept.join(2000);
        }
    }

    @Test
    void withoutAServiceProxyTablesOpenInProcess() throws Exception {
        Path file = tmp.resolve("t");
        Files.writeString(file, "k v\n");
        TableFactory.setProxy(null);
        assertThat(TableFactory.openUncached("proxy:texthash:" + file, config(), true).lookup("K")).isEqualTo("v");
    }
}
