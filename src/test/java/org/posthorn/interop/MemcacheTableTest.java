package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.table.Table;
import org.posthorn.table.TableFactory;

/**
 * memcache: tables against a real memcached started here: Debian's postmap and ours read the
 * same cache (and backup table) alike, a miss reads through to the backup and fills the
 * cache, and what our proxywrite-style updates store Postfix reads back.
 */
@Tag("interop")
class MemcacheTableTest {
    @TempDir
    static Path tmp;
    static DbServer memcached;
    static PostmapOracle oracle;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(PostmapOracle.available(), "Debian's postmap is not installed: no oracle");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/memcached")), "memcached is not installed (apt-get install memcached)");
        memcached = DbServer.memcached();
        oracle = new PostmapOracle(tmp.resolve("config"));
        Files.writeString(tmp.resolve("backup"), "alice@example.com from-backup\nbob@example.com bob-value\n"
                + "carol@other.test carol-value\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (memcached != null) memcached.close();
    }

    @BeforeEach
    void flush() throws Exception {
        assertThat(memcache("flush_all")).isEqualTo("OK");
    }

    /** One memcached command line (or a get), the reply lines joined with '|'. */
    static String memcache(String command) throws Exception {
        try (Socket s = new Socket("127.0.0.1", memcached.port)) {
            OutputStream out = s.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder reply = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                if (!reply.isEmpty()) reply.append('|');
                reply.append(line);
                if (!command.startsWith("get ") || line.equals("END")) break;
            }
            return reply.toString();
        }
    }

    static String cf(String name, String... lines) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, "memcache = inet:127.0.0.1:" + memcached.port + "\n" + String.join("\n", lines) + "\n");
        return "memcache:" + f;
    }

    static final List<String> KEYS = List.of("alice@example.com", "Bob@Example.COM", "carol@other.test",
            "nobody@example.com", "with space@example.com", "example.com", "@example.com");

    /** Both programs on a cold cache, then ours again on the cache Postfix filled: all the same. */
    private static void compare(String map) throws Exception {
        String stdin = String.join("\n", KEYS) + "\n";
        memcache("flush_all");
        PostmapOracle.Result want = oracle.postfixWithInput(stdin, "-q", "-", map);
        memcache("flush_all");
        PostmapOracle.Result got = oracle.oursWithInput(stdin, "-q", "-", map);
        assertThat(got.out()).as(map).isEqualTo(want.out());
        assertThat(got.status()).isEqualTo(want.status());
        assertThat(got.err()).isEqualTo(want.err());
    }

    @Test
    void lookupsAnswerAsPostfixDoes() throws Exception {
        String backup = "backup = texthash:" + tmp.resolve("backup");
        compare(cf("plain.cf", backup));
        compare(cf("format.cf", backup, "key_format = mail:%u:%d"));
        compare(cf("domain.cf", backup, "domain = example.com"));
        compare(cf("nobackup.cf"));
        memcache("set alice@example.com 0 0 11\r\nfrom-cache!");
        assertThat(oracle.ours("-q", "ALICE@example.com", cf("nobackup.cf")).out()).isEqualTo("from-cache!\n");
        assertThat(oracle.postfix("-q", "ALICE@example.com", cf("nobackup.cf")).out()).isEqualTo("from-cache!\n");
    }

    @Test
    void missReadsThroughToTheBackupAndFillsTheCache() throws Exception {
        String map = cf("through.cf", "backup = texthash:" + tmp.resolve("backup"), "key_format = pfx-%s", "ttl = 100");
        assertThat(memcache("get pfx-alice@example.com")).isEqualTo("END");
        assertThat(oracle.ours("-q", "alice@example.com", map).out()).isEqualTo("from-backup\n");
        assertThat(memcache("get pfx-alice@example.com")).isEqualTo("VALUE pfx-alice@example.com 0 11|from-backup|END");
        // the cache answers first: Postfix sees what the cache holds, not the backup
        memcache("set pfx-bob@example.com 0 0 6\r\ncached");
        assertThat(oracle.postfix("-q", "bob@example.com", map).out()).isEqualTo("cached\n");
        assertThat(oracle.ours("-q", "bob@example.com", map).out()).isEqualTo("cached\n");
    }

    @Test
    void updatesAndDeletesAreSharedWithPostfix() throws Exception {
        String map = cf("write.cf", "key_format = verify:%s", "ttl = 100", "flags = 7");
        Config config = Config.of(tmp, Map.of());
        try (Table t = TableFactory.openWritable(map, config, true)) {
            t.update("Sender@Example.com", "status=ok");
            assertThat(memcache("get verify:sender@example.com")).isEqualTo("VALUE verify:sender@example.com 7 9|status=ok|END");
            assertThat(oracle.postfix("-q", "sender@example.com", map).out()).isEqualTo("status=ok\n");
            assertThat(t.lookup("SENDER@example.com")).isEqualTo("status=ok");
            assertThat(t.delete("sender@example.com")).isTrue();
            assertThat(t.delete("sender@example.com")).isFalse();
            assertThat(oracle.postfix("-q", "sender@example.com", map).status()).isEqualTo(1);
            t.update("with space", "x"); // skipped with a warning: memcached keys have no spaces
            assertThat(memcache("get verify:with")).isEqualTo("END");
        }
    }

    @Test
    void unreachableServerIsALookupError() throws Exception {
        Path f = tmp.resolve("down.cf");
        Files.writeString(f, "memcache = inet:127.0.0.1:" + MasterServicesTest.freePort() + "\nretry_pause = 1\n");
        PostmapOracle.Result want = oracle.postfix("-q", "alice@example.com", "memcache:" + f);
        PostmapOracle.Result got = oracle.ours("-q", "alice@example.com", "memcache:" + f);
        assertThat(got.out()).isEqualTo(want.out()).isEmpty();
        assertThat(got.status()).isEqualTo(want.status()).isEqualTo(1);
        assertThat(got.err().getLast()).startsWith("fatal: table memcache:" + f + ": query error");
    }
}
