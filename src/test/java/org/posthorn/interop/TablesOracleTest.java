package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Oracle tests of postmap, postalias and the table types: the same sources are built by
 * Debian's Postfix 3.7 postmap/postalias and by ours in separate directories, and the same
 * queries must give the same stdout and exit status (stderr too where it carries warnings).
 */
@Tag("interop")
class TablesOracleTest {
    private static final Path POSTFIX_POSTMAP = Path.of("/usr/sbin/postmap");
    private static final String ENV_VALUE = "environ value 42";

    @TempDir
    static Path root;
    static Path oracle;
    static Path ours;
    static Path configDir;
    static final Map<String, Result[]> builds = new java.util.LinkedHashMap<>();

    record Result(String out, String err, int status) {
        String outAndStatus() {
            return out + "[exit " + status + "]";
        }
    }

    static final String VIRTUAL = """
            # virtual-style table: addresses, extensions, catch-alls, domains
            user@example.com          user-value
            User+Ext@Example.COM      ext-value
            @example.com              catchall
            @other.example            other-catchall
            postmaster                local-postmaster
            info@sub.example.com      sub-info
            example.net               domain-value
            .example.net              parent-value
            "quoted user"@example.com quoted-value
            "a\\"b"@example.com       escaped-quote
            multi@example.com         first part,
              second part
            # a comment between continuation lines
            \tthird part
            dup@example.com           first
            DUP@example.com           second
            bad-line-without-value
            spaces@example.com        value   with   inner   spaces
            ünïcode@exämple.com       unicode-value
            MiXeD@CaSe.Example        mixed-case-key
            1.2.3.4                   ip-key
            1.2.3                     net-key
            2001:db8::1               v6-key
            key:with:colons           colon-value
            trailing@example.com      trailing-space-value   \s
            """;

    static final List<String> VIRTUAL_KEYS = List.of(
            "user@example.com", "USER@EXAMPLE.COM", "User@Example.Com", "user+ext@example.com", "user+ext@EXAMPLE.com",
            "nobody@example.com", "@example.com", "@EXAMPLE.COM", "@other.example", "@nowhere.example", "postmaster",
            "POSTMASTER", "postmaster@example.com", "info@sub.example.com", "sub.example.com", "example.net", ".example.net",
            "www.example.net", "EXAMPLE.NET", "\"quoted user\"@example.com", "quoted user@example.com",
            "\"a\\\"b\"@example.com", "multi@example.com", "dup@example.com", "DUP@EXAMPLE.COM",
            "bad-line-without-value", "spaces@example.com", "ünïcode@exämple.com", "ÜNÏCODE@EXÄMPLE.COM",
            "mixed@case.example", "MiXeD@CaSe.Example", "1.2.3.4", "1.2.3", "1.2", "2001:db8::1", "2001:DB8::1",
            "key:with:colons", "trailing@example.com", "", "user", "example.com", "user@", "@", "#", "second part");

    static final String CIDR = """
            # client networks
            192.168.1.1        exact-host
            192.168.0.0/16     net16
            10.0.0.0/8\tten
              continued value
            100.64.0.0/10      cgnat
            203.0.113.128/25   upper-half
            198.51.100.0/31    pair
            !172.16.0.0/12     not-private-172
            2001:db8::1        v6-host
            2001:DB8::/32      v6-net
            2001:db8:8000::/33 never-reached
            fe80::/10          link-local
            ::ffff:192.0.2.1   mapped
            [192.0.2.9]        bracketed
            if 127.0.0.0/8
            127.0.0.1          loopback-host
            if !127.0.0.0/24
            127.1.0.0/16       loopback-127-1
            endif
            endif
            192.168.1.1/24     badnet
            300.1.1.1          badaddr
            1.2.3.4/33         badlen
            010.1.1.1          octal
            1.2.3.4
            endif
            0.0.0.0/0          any-v4
            ::/0               any-v6
            """;

    static final List<String> CIDR_KEYS = List.of(
            "192.168.1.1", "192.168.1.2", "192.168.0.0", "192.168.255.255", "192.167.255.255", "192.169.0.0",
            "10.0.0.0", "10.255.255.255", "9.255.255.255", "11.0.0.0", "100.64.0.0", "100.127.255.255", "100.63.255.255",
            "100.128.0.0", "203.0.113.127", "203.0.113.128", "203.0.113.255", "198.51.100.0", "198.51.100.1",
            "198.51.100.2", "172.16.0.1", "172.31.255.255", "172.32.0.0", "8.8.8.8", "2001:db8::1", "2001:0db8:0::1",
            "2001:DB8::2", "2001:db8:ffff::1", "2001:db9::", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::1",
            "febf:ffff::1", "fec0::1", "::ffff:192.0.2.1", "192.0.2.1", "192.0.2.9", "[192.0.2.9]", "127.0.0.1",
            "127.0.0.2", "127.1.2.3", "127.2.0.1", "::1", "::", "0.0.0.0", "255.255.255.255", "1.2.3.4", "01.2.3.4",
            "1.2.3", "host.example.com", "", "fe80::1%eth0", "1:2:3:4:5:6:7:8", "::ffff:10.0.0.1");

    static final String ALIASES = """
            # aliases(5)
            Root: admin, Bob@Example.com
              , more
            postmaster:root
            MAILER-DAEMON: postmaster
            pipe: "|/usr/bin/procmail -a $EXTENSION", /var/mail/file
            include: :include:/etc/postfix/list.txt
            backslash: \\root, other
            comment: user (a comment), <a@b.example>
            "quoted name" : target
            spaced :x
            bad line without colon
            remote@example.com: nope
            root: duplicate
            empty:
            list-request: owner
            """;

    static final List<String> ALIAS_KEYS = List.of("root", "ROOT", "Root", "postmaster", "mailer-daemon", "pipe",
            "include", "backslash", "comment", "quoted name", "\"quoted name\"", "spaced", "bad", "remote@example.com",
            "empty", "list-request", "nobody", "@");

    static final List<String[]> SPEC_QUERIES = List.of(
            new String[] {"inline:{ Foo=bar, { k2 = v with spaces }, k3=a=b }", "foo", "FOO", "k2", "K3", "k4", "a"},
            new String[] {"inline:{ {x = 1}, {y=2}, z=3 }", "x", "y", "z", "w"},
            new String[] {"inline:{a=1, A=2, {=empty name}}", "a", "A", ""},
            new String[] {"inline:{a=}", "a"},
            new String[] {"static:val", "anything", "", "ANY"},
            new String[] {"static:{ v w }", "x"},
            new String[] {"unionmap:{inline:{x=1}, inline:{x=2}, static:3}", "x", "y"},
            new String[] {"unionmap:{inline:{x=1}, inline:{X=2}}", "x", "X", "y"},
            new String[] {"pipemap:{inline:{x=y}, inline:{y=z}}", "x", "X", "y"},
            new String[] {"randmap:{one}", "x", "y"},
            new String[] {"randmap:{ {a b} }", "x"},
            new String[] {"fail:foo", "x"},
            new String[] {"unionmap:{fail:a, static:b}", "x"},
            new String[] {"environ:x", "POSTHORN_ORACLE_VAR", "posthorn_oracle_var", "NO_SUCH_VARIABLE_HERE"},
            new String[] {"unix:passwd.byname", "root", "ROOT", "nobody", "daemon", "no-such-user", "root:x"},
            new String[] {"unix:group.byname", "root", "mail", "daemon", "no-such-group"},
            new String[] {"cidr:{ {10.0.0.0/8 ten}, {::/0 six} }", "10.1.1.1", "::2", "11.1.1.1"},
            new String[] {"bogus:thing", "x"},
            new String[] {"inline:{ bad }", "x"},
            new String[] {"inline:{ {a b = c} }", "x"},
            new String[] {"inline:{}", "x"},
            new String[] {"static:", "x"},
            new String[] {"static:{v", "x"},
            new String[] {"unix:other", "x"});

    @BeforeAll
    static void buildCorpus() throws Exception {
        assumeTrue(Files.isExecutable(POSTFIX_POSTMAP), "Debian's postmap is not installed: no oracle");
        oracle = Files.createDirectories(root.resolve("oracle"));
        ours = Files.createDirectories(root.resolve("ours"));
        configDir = Files.createDirectories(root.resolve("config"));
        Files.writeString(configDir.resolve("main.cf"), "# empty: defaults\n");
        for (Path dir : List.of(oracle, ours)) {
            Files.writeString(dir.resolve("virtual"), VIRTUAL, StandardCharsets.UTF_8);
            // hash and btree both build NAME.db: give btree its own copy
            Files.writeString(dir.resolve("bvirtual"), VIRTUAL, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("client.cidr"), CIDR);
            Files.writeString(dir.resolve("aliases"), ALIASES);
            Files.writeString(dir.resolve("cert1"), "first file\n");
            Files.writeString(dir.resolve("cert2"), "second file\n");
            Files.writeString(dir.resolve("files"), "k1 cert1, cert2\nk2 cert1\nk3 missing-file\n");
        }
        List<String[]> commands = List.of(
                new String[] {"postmap", "virtual"},
                new String[] {"postmap", "btree:bvirtual"},
                new String[] {"postmap", "cdb:virtual"},
                new String[] {"postmap", "lmdb:virtual"},
                new String[] {"postalias", "aliases"},
                new String[] {"postalias", "cdb:aliases"},
                new String[] {"postalias", "lmdb:aliases"},
                new String[] {"postmap", "-F", "lmdb:files"});
        for (String[] c : commands) {
            builds.put(String.join(" ", c), new Result[] {run(oracle, null, postfix(c)), run(ours, null, posthorn(c))});
        }
    }

    @Test
    void buildsGiveTheSameWarningsAndStatus() {
        assertThat(builds).hasSize(8);
        builds.forEach((command, r) -> {
            assertThat(r[1].err).as(command).isEqualTo(r[0].err);
            assertThat(r[1].status).as(command).isEqualTo(r[0].status);
            assertThat(r[1].out).as(command).isEqualTo(r[0].out);
        });
    }

    @Test
    void singleKeyQueriesAnswerAsPostfix() throws Exception {
        List<String[]> queries = new ArrayList<>();
        for (String map : List.of("hash:virtual", "btree:bvirtual", "cdb:virtual", "lmdb:virtual", "texthash:virtual")) {
            for (String key : VIRTUAL_KEYS) queries.add(new String[] {"postmap", "-q", key, map});
        }
        for (String key : List.of("user@example.com", "USER@EXAMPLE.COM", "MiXeD@CaSe.Example", "dup@example.com")) {
            queries.add(new String[] {"postmap", "-f", "-q", key, "texthash:virtual"});
        }
        for (String key : CIDR_KEYS) queries.add(new String[] {"postmap", "-q", key, "cidr:client.cidr"});
        for (String type : List.of("hash", "cdb", "lmdb")) {
            for (String key : ALIAS_KEYS) queries.add(new String[] {"postalias", "-q", key, type + ":aliases"});
        }
        for (String[] spec : SPEC_QUERIES) {
            for (int i = 1; i < spec.length; i++) queries.add(new String[] {"postmap", "-q", spec[i], spec[0]});
        }
        for (String key : List.of("k1", "k2", "k3")) queries.add(new String[] {"postmap", "-F", "-q", key, "lmdb:files"});
        queries.add(new String[] {"postmap", "-q", "user@example.com", "cdb:virtual", "hash:virtual"});
        queries.add(new String[] {"postmap", "-q", "x", "hash:nonexistent"});
        queries.add(new String[] {"postmap", "-q", "x", "texthash:nonexistent"});
        assertThat(queries.size()).isGreaterThanOrEqualTo(300);
        List<String> failures = compareAll(queries, false);
        assertThat(failures).isEmpty();
    }

    @Test
    void errorsAndWarningsOfQueriesAreThePostfixOnes() throws Exception {
        List<String[]> queries = new ArrayList<>();
        queries.add(new String[] {"postmap", "-q", "8.8.8.8", "cidr:client.cidr"});
        queries.add(new String[] {"postmap", "-q", "x", "texthash:virtual"});
        for (String[] spec : SPEC_QUERIES.subList(SPEC_QUERIES.size() - 6, SPEC_QUERIES.size())) {
            queries.add(new String[] {"postmap", "-q", "x", spec[0]});
        }
        queries.add(new String[] {"postmap", "-q", "x", "fail:foo"});
        queries.add(new String[] {"postmap", "-q", "a", "inline:{a=}"});
        queries.add(new String[] {"postmap", "-q", "a", "static:{}"});
        queries.add(new String[] {"postmap", "-q"});
        queries.add(new String[] {"postmap"});
        queries.add(new String[] {"postmap", "-Z", "virtual"});
        queries.add(new String[] {"postmap", "-q", "a", "-s", "virtual"});
        queries.add(new String[] {"postmap", "-q", "a", "-d", "b", "virtual"});
        queries.add(new String[] {"postmap", "-b", "-q", "x", "virtual"});
        queries.add(new String[] {"postmap", "cidr:client.cidr"});
        queries.add(new String[] {"postmap", "texthash:virtual"});
        queries.add(new String[] {"postmap", "nonexistent"});
        queries.add(new String[] {"postmap", "-s", "cdb:virtual"});
        queries.add(new String[] {"postmap", "-s", "static:x"});
        queries.add(new String[] {"postmap", "-s", "environ:x"});
        queries.add(new String[] {"postalias"});
        queries.add(new String[] {"postalias", "-Z", "aliases"});
        queries.add(new String[] {"postmap", "-s"});
        queries.add(new String[] {"postmap", "-s", "fail:x"});
        queries.add(new String[] {"postmap", "-s", "proxy:inline:{a=b}"});
        queries.add(new String[] {"postmap", "-F", "-q", "user@example.com", "lmdb:virtual"});
        queries.add(new String[] {"postmap", "-c", "/nonexistent", "-q", "x", "virtual"});
        queries.add(new String[] {"postmap", "-m", "-q", "x", "virtual"});
        for (String map : List.of("texthash:virtual", "cidr:client.cidr", "inline:{a=b}", "static:x", "environ:x", "fail:x",
                "unix:passwd.byname", "unionmap:{static:a}", "randmap:{a}", "cdb:virtual")) {
            queries.add(new String[] {"postmap", "-d", "a", map});
        }
        assertThat(compareAll(queries, true)).isEmpty();
    }

    @Test
    void dumpsListTheSameEntries() throws Exception {
        for (String[] c : List.of(
                new String[] {"postmap", "-s", "hash:virtual"},
                new String[] {"postmap", "-s", "btree:bvirtual"},
                new String[] {"postmap", "-s", "lmdb:virtual"},
                new String[] {"postmap", "-s", "texthash:virtual"},
                new String[] {"postmap", "-s", "inline:{a=b, C=d, {e = f g}}"},
                new String[] {"postmap", "-F", "-s", "lmdb:files"},
                new String[] {"postmap", "-s", "hash:virtual", "lmdb:virtual"},
                new String[] {"postalias", "-s", "hash:aliases"},
                new String[] {"postalias", "-s", "lmdb:aliases"})) {
            Result o = run(oracle, null, postfix(c));
            Result p = run(ours, null, posthorn(c));
            assertThat(p.status).as(String.join(" ", c)).isEqualTo(o.status);
            assertThat(withoutTimestamp(p.out)).as(String.join(" ", c)).isEqualTo(withoutTimestamp(o.out));
        }
    }

    @Test
    void keysOnStdinAndMessageKeys() throws Exception {
        String keys = String.join("\n", VIRTUAL_KEYS) + "\n";
        List<Object[]> cases = List.of(
                new Object[] {keys, new String[] {"postmap", "-q", "-", "hash:virtual"}},
                new Object[] {keys, new String[] {"postmap", "-q", "-", "cdb:virtual", "inline:{nobody@example.com=inl}"}},
                new Object[] {String.join("\n", CIDR_KEYS) + "\n", new String[] {"postmap", "-q", "-", "cidr:client.cidr"}},
                new Object[] {"ROOT\nmissing\npostmaster\n", new String[] {"postalias", "-q", "-", "aliases"}},
                new Object[] {"nothing\nhere\n", new String[] {"postmap", "-q", "-", "virtual"}},
                new Object[] {"Subject: hello\nX-Foo: a\n b\nFrom: x\n\nbody1\n\nbody2\n",
                    new String[] {"postmap", "-h", "-q", "-", "static:HEADER"}},
                new Object[] {"Subject: hello\nX-Foo: a\n b\n\nbody1\nSubject: hello\nBODY2\n\n",
                    new String[] {"postmap", "-b", "-q", "-", "inline:{Body1=B1, body2=B2}"}});
        for (Object[] c : cases) {
            String[] command = (String[]) c[1];
            Result o = run(oracle, (String) c[0], postfix(command));
            Result p = run(ours, (String) c[0], posthorn(command));
            assertThat(p.outAndStatus()).as(String.join(" ", command)).isEqualTo(o.outAndStatus());
        }
    }

    @Test
    void deletesAndIncrementalUpdatesHaveTheSameEffect() throws Exception {
        for (String type : List.of("hash", "lmdb")) {
            String map = type + ":updates";
            List<Object[]> steps = List.of(
                    new Object[] {null, new String[] {"postmap", map}},
                    new Object[] {null, new String[] {"postmap", "-d", "a", map}},
                    new Object[] {null, new String[] {"postmap", "-d", "a", map}},
                    new Object[] {"b\nzz\nC\n", new String[] {"postmap", "-d", "-", map}},
                    new Object[] {"D new\ne 5\n  continued\nbad\n", new String[] {"postmap", "-i", map}},
                    new Object[] {"d newer\n", new String[] {"postmap", "-i", map}},
                    new Object[] {"d replaced\n", new String[] {"postmap", "-r", "-i", map}},
                    new Object[] {"d ignored\nF six\n", new String[] {"postmap", "-w", "-i", map}},
                    new Object[] {null, new String[] {"postmap", "-d", "x", type + ":never-built"}},
                    new Object[] {"n 1\n", new String[] {"postmap", "-i", type + ":fresh"}},
                    new Object[] {null, new String[] {"postmap", "-s", type + ":fresh"}},
                    new Object[] {null, new String[] {"postmap", "-s", map}});
            for (Path dir : List.of(oracle, ours)) Files.writeString(dir.resolve("updates"), "a 1\nb 2\nc 3\nd 4\n");
            for (Object[] s : steps) {
                String[] command = (String[]) s[1];
                Result o = run(oracle, (String) s[0], postfix(command));
                Result p = run(ours, (String) s[0], posthorn(command));
                String what = String.join(" ", command);
                assertThat(p.status).as(what).isEqualTo(o.status);
                assertThat(p.err).as(what).isEqualTo(o.err.replace(type + ":updates", type + ":updates"));
                assertThat(sortedLines(p.out)).as(what).isEqualTo(sortedLines(o.out));
            }
        }
        Result o = run(oracle, "x 1\n", postfix(new String[] {"postmap", "-i", "cdb:virtual"}));
        Result p = run(ours, "x 1\n", posthorn(new String[] {"postmap", "-i", "cdb:virtual"}));
        assertThat(p).isEqualTo(o);
    }

    @Test
    void aliasDeleteAndIncrementalUpdates() throws Exception {
        for (Path dir : List.of(oracle, ours)) Files.writeString(dir.resolve("al2"), "a: b\nc: d, e\n");
        List<Object[]> steps = List.of(
                new Object[] {null, new String[] {"postalias", "al2"}},
                new Object[] {"new: x,y\nbad\nA: dup\n", new String[] {"postalias", "-i", "al2"}},
                new Object[] {null, new String[] {"postalias", "-d", "C", "al2"}},
                new Object[] {null, new String[] {"postalias", "-s", "al2"}});
        for (Object[] s : steps) {
            String[] command = (String[]) s[1];
            Result o = run(oracle, (String) s[0], postfix(command));
            Result p = run(ours, (String) s[0], posthorn(command));
            assertThat(p.status).isEqualTo(o.status);
            assertThat(p.err).isEqualTo(o.err);
            assertThat(withoutTimestamp(p.out)).isEqualTo(withoutTimestamp(o.out));
        }
    }

    @Test
    void newaliasesRebuildsEveryAliasDatabase() throws Exception {
        Result[] results = new Result[2];
        int n = 0;
        for (Path dir : List.of(oracle, ours)) {
            Path conf = Files.createDirectories(dir.resolve("na"));
            Files.writeString(conf.resolve("aliases"), "root: admin\nbad\nPostmaster: root\n");
            Files.writeString(conf.resolve("main.cf"),
                    "alias_database = hash:" + conf.resolve("aliases") + ", lmdb:" + conf.resolve("aliases") + "\n");
            String[] command = {"newaliases"};
            List<String> argv = dir == oracle ? postfix(command) : posthorn(command);
            ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
            pb.environment().put("MAIL_CONFIG", conf.toString());
            Process p = pb.start();
            p.getOutputStream().close();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            results[n++] = new Result("", err.replace(dir.toString(), "DIR"), p.waitFor());
            assertThat(conf.resolve("aliases.db")).exists();
            assertThat(conf.resolve("aliases.lmdb")).exists();
        }
        assertThat(results[1]).isEqualTo(results[0]);
        for (String map : List.of("hash:na/aliases", "lmdb:na/aliases")) {
            Result o = run(oracle, null, postfix(new String[] {"postalias", "-s", map}));
            Result p = run(ours, null, posthorn(new String[] {"postalias", "-s", map}));
            assertThat(withoutTimestamp(p.out)).as(map).isEqualTo(withoutTimestamp(o.out)).contains("postmaster:\troot");
        }
    }

    @Test
    void concurrentIncrementalUpdatesLoseNothing() throws Exception {
        Files.writeString(ours.resolve("concurrent"), "seed 0\n");
        assertThat(run(ours, null, posthorn(new String[] {"postmap", "concurrent"})).status).isZero();
        List<Process> writers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ProcessBuilder pb = new ProcessBuilder(posthorn(new String[] {"postmap", "-i", "concurrent"}))
                    .directory(ours.toFile()).redirectErrorStream(true);
            pb.environment().put("MAIL_CONFIG", configDir.toString());
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                in.write(("writer" + i + " " + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
            writers.add(p);
        }
        for (Process p : writers) assertThat(p.waitFor()).isZero();
        Result dump = run(ours, null, posthorn(new String[] {"postmap", "-s", "concurrent"}));
        assertThat(sortedLines(dump.out)).containsExactly("seed\t0", "writer0\t0", "writer1\t1", "writer2\t2",
                "writer3\t3", "writer4\t4", "writer5\t5");
    }

    @Test
    void newFilesTakeTheSourceModeOr0644() throws Exception {
        String[] modes = new String[2];
        int n = 0;
        for (Path dir : List.of(oracle, ours)) {
            Files.writeString(dir.resolve("modes"), "a 1\n");
            Files.setPosixFilePermissions(dir.resolve("modes"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
            Files.writeString(dir.resolve("modes-p"), "a 1\n");
            Files.setPosixFilePermissions(dir.resolve("modes-p"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            String[] build = {"postmap", "lmdb:modes"};
            String[] buildP = {"postmap", "-p", "lmdb:modes-p"};
            assertThat(run(dir, null, dir == oracle ? postfix(build) : posthorn(build)).status).isZero();
            assertThat(run(dir, null, dir == oracle ? postfix(buildP) : posthorn(buildP)).status).isZero();
            modes[n++] = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("modes.lmdb")))
                    + " " + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("modes-p.lmdb")));
        }
        assertThat(modes[1]).isEqualTo(modes[0]).isEqualTo("rw-r----- rw-r--r--");
    }

    @Test
    void unicodeKeysFoldWhenSmtputf8IsOn() throws Exception {
        Path utf8Config = Files.createDirectories(root.resolve("utf8-config"));
        Files.writeString(utf8Config.resolve("main.cf"), "smtputf8_enable = yes\n");
        for (String key : List.of("ünïcode@exämple.com", "ÜNÏCODE@EXÄMPLE.COM", "Ünïcode@exämple.com", "user@example.com")) {
            for (String map : List.of("hash:virtual", "texthash:virtual", "inline:{ünïcode@exämple.com=inl}")) {
                String[] c = {"postmap", "-c", utf8Config.toString(), "-q", key, map};
                Result o = run(oracle, null, postfix(c));
                Result p = run(ours, null, posthorn(c));
                assertThat(p.outAndStatus()).as(String.join(" ", c)).isEqualTo(o.outAndStatus());
            }
        }
    }

    private static TreeSet<String> withoutTimestamp(String out) {
        TreeSet<String> lines = sortedLines(out);
        lines.removeIf(l -> l.startsWith("YP_LAST_MODIFIED:"));
        return lines;
    }

    private static TreeSet<String> sortedLines(String out) {
        return new TreeSet<>(out.lines().toList());
    }

    /** Runs each command with both programs, four at a time; returns a description of every difference. */
    private static List<String> compareAll(List<String[]> commands, boolean withStderr) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (String[] c : commands) {
                results.add(pool.submit(() -> {
                    Result o = run(oracle, null, postfix(c));
                    Result p = run(ours, null, posthorn(c));
                    boolean same = o.outAndStatus().equals(p.outAndStatus()) && (!withStderr || o.err.equals(p.err));
                    return same ? null : String.join(" ", c) + "\n  postfix:  " + o + "\n  posthorn: " + p;
                }));
            }
            List<String> failures = new ArrayList<>();
            for (Future<String> f : results) {
                String d = f.get();
                if (d != null) failures.add(d);
            }
            return failures;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<String> postfix(String[] command) {
        List<String> c = new ArrayList<>(List.of(command));
        Path sbin = Path.of("/usr/sbin", command[0]);
        c.set(0, (Files.exists(sbin) ? sbin : Path.of("/usr/bin", command[0])).toString());
        return c;
    }

    private static List<String> posthorn(String[] command) {
        List<String> c = new ArrayList<>(List.of(command));
        c.set(0, Path.of(System.getProperty("posthorn.home", ".")).resolve("bin").resolve(command[0]).toString());
        return c;
    }

    static Result run(Path dir, String stdin, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("MAIL_CONFIG", configDir.toString());
        pb.environment().put("POSTHORN_ORACLE_VAR", ENV_VALUE);
        pb.environment().put("LANG", "C.UTF-8");
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        var err = p.getErrorStream();
        Future<byte[]> errBytes = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return err.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        int status = p.waitFor();
        try {
            return new Result(new String(out, StandardCharsets.UTF_8),
                    new String(errBytes.get(), StandardCharsets.UTF_8), status);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e);
        }
    }
}
