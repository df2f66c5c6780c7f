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
            INSERT INTO relay VALUES ('relay.test'), ('down.test');
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
        Files.writeString(tmp.resolve("domains.txt"), "hosted.test ok\n");
        compare(cf("domain.cf", "query = SELECT maildir FROM mailboxes WHERE email='%s'",
                "domain = example.org, texthash:" + tmp.resolve("domains.txt")), KEYS);
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
        for (int i = 0; i < 2; i++) {
            assertThat(oracle.ours("-q", "alice@hosted.test", failover).out()).isEqualTo("hosted.test/alice/\n");
        }
        // a connection URI (Postfix 3.8 and later; Debian's 3.7 takes it for a host name)
        String uri = cfWithHosts("uri.cf", "postgresql://postgres@127.0.0.1:" + pg.port + "/postgres", query);
        assertThat(oracle.ours("-q", "bob@hosted.test", uri).out()).isEqualTo("hosted.test/bob/\n");
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

    /** One SMTP command and the last line of its reply. */
    private static String say(MasterServicesTest.Client c, String line) throws Exception {
        if (line != null) c.send(line);
        for (String r; (r = c.read()) != null; ) {
            if (r.length() < 4 || r.charAt(3) != '-') return r;
        }
        throw new AssertionError("connection closed after " + line);
    }

    @Test
    void virtualDeliveryAndRelayDecisionsThroughPostgres() throws Exception {
        Path vmail = tmp.resolve("vmail");
        Files.createDirectories(vmail);
        RealPostfix.worldSearchable(vmail);
        Files.setPosixFilePermissions(vmail, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        String domains = cf("e2e-domains.cf", "query = SELECT domain FROM domains WHERE domain='%s'");
        String mailboxes = cf("e2e-mailboxes.cf", "query = SELECT maildir FROM mailboxes WHERE email='%s' AND active");
        String aliases = cf("e2e-aliases.cf", "query = SELECT destination FROM aliases WHERE source='%s'");
        String relay = cf("e2e-relay.cf", "query = SELECT domain FROM relay WHERE domain='%s'");
        String access = cf("e2e-access.cf", "query = SELECT action FROM access WHERE address='%s'");
        String down = cfWithHosts("e2e-down.cf", "127.0.0.1:" + MasterServicesTest.freePort(),
                "query = SELECT action FROM access WHERE address='%s'", "domain = down.test");
        String uid = DbServer.root() ? "65534" : DbServer.exec(List.of("id", "-u")).strip();
        try (E2eInstance ours = new E2eInstance(tmp.resolve("instance"))) {
            ours.configure(List.of("mynetworks = 192.0.2.0/24",
                            "virtual_mailbox_domains = " + domains,
                            "virtual_mailbox_maps = proxy:" + mailboxes,
                            "virtual_alias_maps = proxy:" + aliases,
                            "virtual_mailbox_base = " + vmail,
                            "virtual_uid_maps = static:" + uid, "virtual_gid_maps = static:" + uid,
                            "relay_domains = " + relay,
                            "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
                            "smtpd_recipient_restrictions = check_recipient_access " + access
                                    + ", check_recipient_access " + down),
                    "proxymap  unix  -       -       n       -       -       proxymap",
                    "proxywrite unix -       -       n       -       1       proxymap");
            ours.start();
            try (MasterServicesTest.Client c = new MasterServicesTest.Client(ours.port, 20000)) {
                assertThat(say(c, null)).startsWith("220");
                assertThat(say(c, "EHLO client.test")).startsWith("250");
                assertThat(say(c, "MAIL FROM:<sender@remote.test>")).startsWith("250");
                assertThat(say(c, "RCPT TO:<alice@hosted.test>")).startsWith("250");
                assertThat(say(c, "RCPT TO:<team@hosted.test>")).startsWith("250");
                assertThat(say(c, "RCPT TO:<nobody@hosted.test>"))
                        .isEqualTo("550 5.1.1 <nobody@hosted.test>: Recipient address rejected: User unknown in virtual mailbox table");
                // relay decisions: relay_domains from the database, reject_unauth_destination for the rest
                assertThat(say(c, "RCPT TO:<someone@relay.test>")).startsWith("250");
                assertThat(say(c, "RCPT TO:<someone@elsewhere.test>"))
                        .isEqualTo("554 5.7.1 <someone@elsewhere.test>: Relay access denied");
                assertThat(say(c, "RCPT TO:<blocked@hosted.test>"))
                        .isEqualTo("554 5.7.1 <blocked@hosted.test>: Recipient address rejected: no thanks");
                // the database of the second access table is down: a temporary failure, not "not found"
                assertThat(say(c, "RCPT TO:<user@down.test>")).startsWith("451 4.3.0 ");
                assertThat(say(c, "RSET")).startsWith("250");
                assertThat(say(c, "MAIL FROM:<sender@remote.test>")).startsWith("250");
                assertThat(say(c, "RCPT TO:<alice@hosted.test>")).startsWith("250");
                assertThat(say(c, "RCPT TO:<team@hosted.test>")).startsWith("250");
                assertThat(say(c, "DATA")).startsWith("354");
                c.send("Subject: from postgres\r\n\r\nvirtual mailbox delivery\r\n.");
                assertThat(say(c, null)).startsWith("250");
                say(c, "QUIT");
            }
            String log = ours.awaitLog(30, l -> l.contains("to=<bob@hosted.test>") && l.split("relay=virtual").length > 2);
            assertThat(log).contains("to=<alice@hosted.test>, relay=virtual").contains("to=<bob@hosted.test>, orig_to=<team@hosted.test>, relay=virtual");
            for (String box : List.of("hosted.test/alice/new", "hosted.test/bob/new")) {
                Path dir = vmail.resolve(box);
                try (Stream<Path> files = Files.list(dir)) {
                    List<Path> mails = files.toList();
                    assertThat(mails).as(box).isNotEmpty();
                    assertThat(Files.readString(mails.getFirst())).contains("Subject: from postgres");
                }
            }
            // postmap -q with proxy: asks the running master's proxymap: approved tables answer,
            // others are refused as Postfix's proxymap refuses them
            E2eInstance.Ran q = ours.run("", E2eInstance.bin("postmap"), "-q", "alice@hosted.test", "proxy:" + mailboxes);
            assertThat(q.out()).as(q.err()).isEqualTo("hosted.test/alice/\n");
            E2eInstance.Ran refused = ours.run("", E2eInstance.bin("postmap"), "-q", "x", "proxy:" + access);
            assertThat(refused.status()).isEqualTo(1);
            assertThat(refused.err()).contains("fatal: proxymap service is not configured for table \"" + access + "\"");
            assertThat(ours.awaitLog(5, l -> l.contains("request for unapproved table")))
                    .contains("warning: request for unapproved table: \"" + access + "\"");
        }
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
