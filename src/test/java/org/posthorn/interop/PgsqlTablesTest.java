package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pgsql: tables against a real PostgreSQL started here: Debian's postmap (postfix-pgsql) and
 * ours query the same server with the same .cf files and must answer alike (every expansion,
 * result_format, domain, expansion_limit, the legacy fields, quoting, failover, errors).
 * Then a Posthorn instance takes its virtual domains, mailboxes, aliases, relay domains and
 * an access table from the database: a virtual-mailbox delivery and relay decisions.
 */
@Tag("interop")
class PgsqlTablesTest {
    @TempDir
    static Path tmp;
    static DbServer pg;
    static PostmapOracle oracle;

    static final String SCHEMA = """
            CREATE TABLE domains (domain text PRIMARY KEY);
            CREATE TABLE mailboxes (email text PRIMARY KEY, maildir text, active boolean);
            CREATE TABLE aliases (source text, destination text);
            CREATE TABLE relay (domain text PRIMARY KEY);
            CREATE TABLE access (address text PRIMARY KEY, action text);
            INSERT INTO domains VALUES ('hosted.test'), ('example.org');
            INSERT INTO mailboxes VALUES ('alice@hosted.test', 'hosted.test/alice/', true),
              ('bob@hosted.test', 'hosted.test/bob/', true), ('o''neil@hosted.test', 'hosted.test/oneil/', true),
              ('back\\slash@hosted.test', 'hosted.test/backslash/', true), ('gone@hosted.test', 'hosted.test/gone/', false),
              ('null@hosted.test', NULL, true), ('empty@hosted.test', '', true), ('UPPER@hosted.test', 'hosted.test/upper/', true);
            INSERT INTO aliases VALUES ('postmaster@hosted.test', 'alice@hosted.test'),
              ('team@hosted.test', 'alice@hosted.test'), ('team@hosted.test', 'bob@hosted.test'),
              ('team@hosted.test', 'carol@example.net'), ('@example.org', 'bob@hosted.test'), ('plain', 'value-without-at');
            INSERT INTO relay VALUES ('relay.test');
            INSERT INTO access VALUES ('blocked@hosted.test', 'REJECT no thanks'), ('hosted.test', 'OK');
            """;

    static final List<String> KEYS = List.of("alice@hosted.test", "ALICE@Hosted.Test", "bob@hosted.test",
            "o'neil@hosted.test", "back\\slash@hosted.test", "gone@hosted.test", "null@hosted.test", "empty@hosted.test",
            "upper@hosted.test", "nobody@hosted.test", "postmaster@hosted.test", "team@hosted.test", "@example.org",
            "someone@example.org", "plain", "hosted.test", "@hosted.test", "a@b@hosted.test", "x@sub.hosted.test",
            "x@", "'; DROP TABLE mailboxes; --", "100%@hosted.test", "ünï@hosted.test");

    @BeforeAll
    static void startServer() throws Exception {
        assumeTrue(PostmapOracle.available(), "Debian's postmap is not installed: no oracle");
        assumeTrue(DbServer.postgresBin() != null, "PostgreSQL is not installed (apt-get install postgresql)");
        pg = DbServer.postgres();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port + "/postgres", "postgres", "");
             Statement st = c.createStatement()) {
            st.execute(SCHEMA);
        }
        oracle = new PostmapOracle(tmp.resolve("config"));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (pg != null) pg.close();
    }

    /** A .cf file with the server's hosts/user/dbname and these lines. */
    static String cf(String name, String... lines) throws Exception {
        return cfWithHosts(name, "127.0.0.1:" + pg.port, lines);
    }

    static String cfWithHosts(String name, String hosts, String... lines) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, "hosts = " + hosts + "\nuser = postgres\ndbname = postgres\n" + String.join("\n", lines) + "\n");
        return "pgsql:" + f;
    }

    /** Every key through postmap -q - with both programs: same output and status. */
    static void compare(String map, List<String> keys) throws Exception {
        String stdin = String.join("\n", keys) + "\n";
        PostmapOracle.Result want = oracle.postfixWithInput(stdin, "-q", "-", map);
        PostmapOracle.Result got = oracle.oursWithInput(stdin, "-q", "-", map);
        assertThat(got.out()).as("postmap -q - %s", map).isEqualTo(want.out());
        assertThat(got.status()).as("exit of postmap -q - %s", map).isEqualTo(want.status());
        assertThat(got.err()).as("warnings of postmap -q - %s", map).isEqualTo(want.err());
    }

    @Test
    void lookupsAnswerAsPostfixDoes() throws Exception {
        compare(cf("mailbox.cf", "query = SELECT maildir FROM mailboxes WHERE email='%s' AND active"), KEYS);
        compare(cf("aliases.cf", "query = SELECT destination FROM aliases WHERE source='%s'"), KEYS);
        compare(cf("parts.cf", "query = SELECT email FROM mailboxes WHERE email LIKE '%u%%' AND email LIKE '%%@%d'"
                + " AND '%1' = 'test' AND '%2' = 'hosted' AND '%s' = '%S' AND '%U' = '%u'"), KEYS);
        compare(cf("format.cf", "query = SELECT destination, source FROM aliases WHERE source='%s'",
                "result_format = [%s|%u|%d|%S|%U|%D|%1|%%]"), KEYS);
        compare(cf("format-user.cf", "query = SELECT destination FROM aliases WHERE source='%s'",
                "result_format = %u+ext"), KEYS);
        compare(cf("domain.cf", "query = SELECT maildir FROM mailboxes WHERE email='%s'",
                "domain = hosted.test, example.org"), KEYS);
        Files.writeString(tmp.resolve("domains.txt"), "hosted.test ok\n");
        compare(cf("domain-table.cf", "query = SELECT maildir FROM mailboxes WHERE email='%s'",
                "domain = texthash:" + tmp.resolve("domains.txt")), KEYS);
        compare(cf("legacy.cf", "table = mailboxes", "select_field = maildir", "where_field = email",
                "additional_conditions = AND maildir LIKE '%%/a%%'"), KEYS);
        compare(cf("function.cf", "select_function = upper"), List.of("alice", "Mixed Case", "quo'te"));
    }

    @Test
    void expansionLimitIsATemporaryError() throws Exception {
        String map = cf("limit.cf", "query = SELECT destination FROM aliases WHERE source='%s'", "expansion_limit = 2");
        compare(map, List.of("postmaster@hosted.test", "plain"));
        PostmapOracle.Result want = oracle.postfix("-q", "team@hosted.test", map);
        PostmapOracle.Result got = oracle.ours("-q", "team@hosted.test", map);
        assertThat(got.essence()).isEqualTo(want.essence());
        assertThat(got.err().getFirst()).isEqualTo("warning: dict_pgsql_lookup: " + tmp.resolve("limit.cf")
                + ": Expansion limit exceeded for key: 'team@hosted.test'");
    }

    @Test
    void failoverAndErrors() throws Exception {
        int dead = MasterServicesTest.freePort();
        String query = "query = SELECT maildir FROM mailboxes WHERE email='%s'";
        // one dead server and one live one, in random order: every lookup is answered
        String failover = cfWithHosts("failover.cf", "127.0.0.1:" + dead + ", inet:127.0.0.1:" + pg.port, query);
        for (int i = 0; i < 3; i++) {
            assertThat(oracle.ours("-q", "alice@hosted.test", failover).out()).isEqualTo("hosted.test/alice/\n");
        }
        // nothing reachable, a bad query, no dbname: errors (exit 1, nothing printed), never "not found"
        for (String map : List.of(cfWithHosts("dead.cf", "127.0.0.1:" + dead, query),
                cf("badsql.cf", "query = SELECT maildir FROM nosuch WHERE email='%s'"))) {
            PostmapOracle.Result want = oracle.postfix("-q", "alice@hosted.test", map);
            PostmapOracle.Result got = oracle.ours("-q", "alice@hosted.test", map);
            assertThat(got.essence()).as(map).isEqualTo(want.essence());
            assertThat(got.err().getLast()).isEqualTo("fatal: table " + map + ": query error: Application error");
        }
        Path nodb = tmp.resolve("nodb.cf");
        Files.writeString(nodb, "hosts = 127.0.0.1:" + pg.port + "\n" + query + "\n");
        PostmapOracle.Result want = oracle.postfix("-q", "alice@hosted.test", "pgsql:" + nodb);
        PostmapOracle.Result got = oracle.ours("-q", "alice@hosted.test", "pgsql:" + nodb);
        assertThat(got.essence()).isEqualTo(want.essence()).contains("bad string length 0 < 1: dbname = ");
        want = oracle.postfix("-q", "x", "pgsql:" + tmp.resolve("missing.cf"));
        got = oracle.ours("-q", "x", "pgsql:" + tmp.resolve("missing.cf"));
        assertThat(got.essence()).isEqualTo(want.essence());
    }

    @Test
    void unixSocketHost() throws Exception {
        // libpq takes a directory and the default port's socket name in it
        Path dir = DbServer.ownedDir("posthorn-pgsock", "postgres");
        try {
            Files.createSymbolicLink(dir.resolve(".s.PGSQL.5432"), pg.dir.resolve(".s.PGSQL." + pg.port));
            String map = cfWithHosts("unix.cf", "unix:" + dir, "query = SELECT maildir FROM mailboxes WHERE email='%s'");
            compare(map, List.of("alice@hosted.test", "nobody@hosted.test"));
            assertThat(oracle.ours("-q", "bob@hosted.test", map).out()).isEqualTo("hosted.test/bob/\n");
        } finally {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }
}
