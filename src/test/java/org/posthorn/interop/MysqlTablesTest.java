package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mysql: tables against a real MariaDB started here (mariadb-install-db and mariadbd in a
 * temporary directory, a few seconds): Debian's postmap (postfix-mysql) and ours query the
 * same server with the same .cf files, over TCP and over the UNIX-domain socket.
 */
@Tag("interop")
class MysqlTablesTest {
    @TempDir
    static Path tmp;
    static DbServer db;
    static PostmapOracle oracle;

    static final List<String> SCHEMA = List.of(
            "CREATE DATABASE mail",
            "CREATE TABLE mail.mailboxes (email VARCHAR(200) PRIMARY KEY, maildir VARCHAR(200))",
            "CREATE TABLE mail.aliases (source VARCHAR(200), destination VARCHAR(200))",
            "INSERT INTO mail.mailboxes VALUES ('alice@hosted.test', 'hosted.test/alice/'), "
                    + "('o''neil@hosted.test', 'oneil/'), ('back\\\\slash@hosted.test', 'backslash/'), "
                    + "('quo\"te@hosted.test', 'quote/'), ('null@hosted.test', NULL), ('empty@hosted.test', '')",
            "INSERT INTO mail.aliases VALUES ('team@hosted.test', 'alice@hosted.test'), "
                    + "('team@hosted.test', 'bob@hosted.test'), ('team@hosted.test', 'carol@example.net'), ('plain', 'no-at')");

    static final List<String> KEYS = List.of("alice@hosted.test", "ALICE@hosted.test", "o'neil@hosted.test",
            "back\\slash@hosted.test", "quo\"te@hosted.test", "null@hosted.test", "empty@hosted.test", "nobody@hosted.test",
            "team@hosted.test", "plain", "@hosted.test", "x@other.test", "' OR '1'='1");

    @BeforeAll
    static void startServer() throws Exception {
        assumeTrue(PostmapOracle.available(), "Debian's postmap is not installed: no oracle");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/mariadbd")), "MariaDB is not installed (apt-get install mariadb-server)");
        db = DbServer.mariadb();
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + db.port + "/", "root", "");
             Statement st = c.createStatement()) {
            for (String sql : SCHEMA) st.execute(sql);
        }
        oracle = new PostmapOracle(tmp.resolve("config"));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (db != null) db.close();
    }

    static String cf(String name, String hosts, String... lines) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, "hosts = " + hosts + "\nuser = root\ndbname = mail\n" + String.join("\n", lines) + "\n");
        return "mysql:" + f;
    }

    static void compare(String map) throws Exception {
        String stdin = String.join("\n", KEYS) + "\n";
        PostmapOracle.Result want = oracle.postfixWithInput(stdin, "-q", "-", map);
        PostmapOracle.Result got = oracle.oursWithInput(stdin, "-q", "-", map);
        assertThat(got.out()).as(map).isEqualTo(want.out()).isNotEmpty();
        assertThat(got.status()).isEqualTo(want.status());
        assertThat(got.err()).isEqualTo(want.err());
    }

    @Test
    void lookupsAnswerAsPostfixDoes() throws Exception {
        String tcp = "inet:127.0.0.1:" + db.port;
        compare(cf("mailbox.cf", tcp, "query = SELECT maildir FROM mailboxes WHERE email='%s'"));
        compare(cf("format.cf", "127.0.0.1:" + db.port, "query = SELECT destination FROM aliases WHERE source='%s'",
                "result_format = %u at %d for %U"));
        compare(cf("legacy.cf", tcp, "table = mailboxes", "select_field = maildir", "where_field = email",
                "additional_conditions = AND maildir <> 'x'", "domain = hosted.test"));
        compare(cf("socket.cf", "unix:" + db.dir.resolve("mysql.sock"), "query = SELECT maildir FROM mailboxes WHERE email='%s'"));
    }

    @Test
    void errorsAreLookupErrors() throws Exception {
        for (String map : List.of(cf("dead.cf", "inet:127.0.0.1:" + MasterServicesTest.freePort(),
                        "query = SELECT maildir FROM mailboxes WHERE email='%s'"),
                cf("badsql.cf", "inet:127.0.0.1:" + db.port, "query = SELECT maildir FROM nosuch WHERE email='%s'"),
                cf("limit.cf", "inet:127.0.0.1:" + db.port, "query = SELECT destination FROM aliases WHERE source='%s'",
                        "expansion_limit = 1"))) {
            PostmapOracle.Result want = oracle.postfix("-q", "team@hosted.test", map);
            PostmapOracle.Result got = oracle.ours("-q", "team@hosted.test", map);
            assertThat(got.essence()).as(map).isEqualTo(want.essence());
            assertThat(got.status()).isEqualTo(1);
        }
        PostmapOracle.Result bad = oracle.ours("-q", "x", cf("badsql2.cf", "inet:127.0.0.1:" + db.port,
                "query = SELECT maildir FROM nosuch WHERE email='%s'"));
        assertThat(bad.err().getFirst()).isEqualTo("warning: mysql:" + tmp.resolve("badsql2.cf")
                + ": query failed: Table 'mail.nosuch' doesn't exist");
    }
}
