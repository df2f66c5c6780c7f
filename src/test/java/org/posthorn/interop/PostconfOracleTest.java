package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Oracle tests: Posthorn's postconf against Debian's postconf (Postfix 3.7) on the corpus of
 * configurations in src/test/resources/postconf. For every corpus directory the same
 * commands run with both (-n, all parameters, -x, -h and -x on many names, -d on a sample,
 * -H, -f, -M, -Mf, -Mx, -F, -P, -Px); standard output must be the same bytes (mail_version
 * and process_id excepted), standard error the same set of lines, the exit status the same.
 */
@Tag("interop")
class PostconfOracleTest {
    static final Path CORPUS = Path.of(System.getProperty("posthorn.home", ".")).resolve("src/test/resources/postconf");

    /** Names asked for with -h, -x and -d besides those each main.cf sets: many unset ones derive from others. */
    static final List<String> NAMES = List.of("myhostname", "mydomain", "myorigin", "mydestination", "mynetworks",
            "mynetworks_style", "relay_domains", "smtpd_relay_restrictions", "append_dot_mydomain", "smtp_helo_name",
            "lmtp_lhlo_name", "smtpd_banner", "virtual_alias_maps", "proxy_read_maps", "alias_database",
            "smtp_tls_dane_insecure_mx_policy", "syslog_name", "inet_interfaces", "local_recipient_maps",
            "smtpd_tls_fingerprint_digest", "respectful_logging", "parent_domain_matches_subdomains",
            "postscreen_denylist_action", "smtpd_timeout", "tlsproxy_client_level", "config_directory",
            "address_verify_sender_dependent_relayhost_maps", "notify_classes", "nosuch_parameter",
            "relay_destination_concurrency_limit", "smtp-amavis_destination_recipient_limit",
            "policyd-spf_time_limit", "mailman_time_limit", "default_database_type", "compatibility_level");

    static final List<List<String>> PRINT_OPTIONS = List.of(List.of("-n"), List.of(), List.of("-x", "-n"),
            List.of("-H"), List.of("-f", "-n"), List.of("-Mx"), List.of("-Px"));

    /** Options that read only master.cf: run where a corpus directory has its own master.cf. */
    static final List<List<String>> MASTER_OPTIONS = List.of(List.of("-M"), List.of("-Mf"), List.of("-F"),
            List.of("-Ff"), List.of("-Fh"), List.of("-Fhf"), List.of("-FH"), List.of("-P"), List.of("-Pf"), List.of("-Ph"), List.of("-M", "smtp", "relay/unix", "nosuch/inet"),
            List.of("-F", "smtp/inet/command", "*/unix/process_limit"), List.of("-P", "*/*/syslog_name"));

    /** The version of the Postfix oracle (Debian's 3.7 package). */
    static final String POSTFIX_VERSION = "3.7.11";

    @TempDir
    static Path work;

    @BeforeAll
    static void oracle() {
        assumeTrue(PostconfRunner.debianAvailable(), "Debian's postconf is not installed; the oracle tests need it");
    }

    static List<String> corpus() throws IOException {
        try (Stream<Path> s = Files.list(CORPUS)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A fresh copy of a corpus directory; master.cf is Debian's stock one unless the directory has its own. */
    static Path copy(String name, String suffix) throws IOException {
        return copy(work, name, suffix);
    }

    static Path copy(Path base, String name, String suffix) throws IOException {
        Path dir = Files.createDirectories(base.resolve(name + suffix));
        Files.copy(CORPUS.resolve(name).resolve("main.cf"), dir.resolve("main.cf"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path master = CORPUS.resolve(name).resolve("master.cf");
        Files.copy(Files.exists(master) ? master : CORPUS.resolve("debian-master.cf"), dir.resolve("master.cf"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        settle(dir);
        return dir;
    }

    /** The names a main.cf sets, followed by NAMES. */
    static List<String> names(Path dir) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^([A-Za-z0-9_-]+)\\s*=").matcher(Files.readString(dir.resolve("main.cf")));
        while (m.find()) out.add(m.group(1));
        out.addAll(NAMES);
        return new ArrayList<>(out);
    }

    static void same(Path dir, List<String> args) {
        same(List.of(new PostconfRunner.Case(dir, args)));
    }

    /**
     * Dates the files an hour back. Postfix rereads a main.cf changed in the last second or
     * so, 300 ms apart, until it looks settled (and repeats its warnings each time); files
     * that tests have just written would make every run slow and noisy.
     */
    static void settle(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> files = Files.list(dir)) {
            java.nio.file.attribute.FileTime past = java.nio.file.attribute.FileTime.fromMillis(
                    System.currentTimeMillis() - 3_600_000);
            for (Path f : files.toList()) Files.setLastModifiedTime(f, past);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs every case with Debian's postconf (in parallel) and with Posthorn's, and compares. */
    static void same(List<PostconfRunner.Case> cases) {
        List<PostconfRunner.Result> wanted;
        try {
            for (PostconfRunner.Case c : cases) settle(c.dir());
            wanted = PostconfRunner.debianAll(cases);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        for (int i = 0; i < cases.size(); i++) {
            PostconfRunner.Case c = cases.get(i);
            PostconfRunner.Result want = wanted.get(i);
            PostconfRunner.Result got = PostconfRunner.posthorn(c.dir(), c.args().toArray(String[]::new));
            String what = "postconf " + String.join(" ", c.args()) + " in " + c.dir().getFileName();
            assertThat(got.comparableOut(org.posthorn.config.Defaults.POSTHORN_VERSION)).as("stdout of " + what)
                    .isEqualTo(want.comparableOut(POSTFIX_VERSION));
            assertThat(got.errLines(c.dir())).as("stderr of " + what).isEqualTo(want.errLines(c.dir()));
            assertThat(got.status()).as("exit status of " + what).isEqualTo(want.status());
        }
    }

    @TestFactory
    Stream<DynamicTest> printsAsPostfixDoes() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : corpus()) {
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Path dir = copy(name, "");
                List<PostconfRunner.Case> cases = new ArrayList<>();
                for (List<String> opts : PRINT_OPTIONS) cases.add(new PostconfRunner.Case(dir, opts));
                if (name.startsWith("01") || Files.exists(CORPUS.resolve(name).resolve("master.cf"))) {
                    for (List<String> opts : MASTER_OPTIONS) cases.add(new PostconfRunner.Case(dir, opts));
                }
                List<String> names = names(dir);
                for (String mode : List.of("-h", "-x", "-xh", "-d", "-dx")) {
                    List<String> args = new ArrayList<>(List.of(mode));
                    args.addAll(names);
                    cases.add(new PostconfRunner.Case(dir, args));
                }
                same(cases);
            }));
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(20);
        return tests.stream();
    }

    @Test
    void allDefaultsMatchOnAnEmptyConfiguration() throws IOException {
        Path dir = Files.createDirectories(work.resolve("empty"));
        Files.writeString(dir.resolve("main.cf"), "");
        Files.writeString(dir.resolve("master.cf"), "");
        same(List.of(new PostconfRunner.Case(dir, List.of("-d")), new PostconfRunner.Case(dir, List.of("-dx")),
                new PostconfRunner.Case(dir, List.of("-dH"))));
    }

    @Test
    void defaultsIncludeTheServicesOfMasterCf() throws IOException {
        same(copy("07-content-filter", "-d"), List.of("-d"));
        same(copy("17-policy-greylist", "-d"), List.of("-d"));
    }

    @Test
    void missingFiles() throws IOException {
        Path none = Files.createDirectories(work.resolve("nothing"));
        Path onlyMain = Files.createDirectories(work.resolve("only-main"));
        Files.writeString(onlyMain.resolve("main.cf"), "myhostname = a.example\n");
        List<PostconfRunner.Case> cases = new ArrayList<>();
        for (Path dir : List.of(none, onlyMain, work.resolve("does-not-exist"))) {
            for (List<String> args : List.of(List.of("-n"), List.of("-h", "myhostname"), List.of("-M"),
                    List.of("-d", "mydomain"), List.of("-MX", "a/unix"), List.of("-Pe", "a/unix/x=1"))) {
                cases.add(new PostconfRunner.Case(dir, args));
            }
        }
        // main.cf edits only where they must fail: the cases run side by side
        for (Path dir : List.of(none, work.resolve("does-not-exist"))) {
            cases.add(new PostconfRunner.Case(dir, List.of("-e", "a=b")));
            cases.add(new PostconfRunner.Case(dir, List.of("-X", "a")));
        }
        same(cases);
        assertThat(Files.exists(none.resolve("main.cf"))).isFalse();
    }

    @Test
    void parameterClasses() throws IOException {
        Path dir = copy("14-unknown-parameters", "-classes");
        java.nio.file.Files.copy(CORPUS.resolve("07-content-filter/master.cf"), dir.resolve("master.cf"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<PostconfRunner.Case> cases = new ArrayList<>();
        for (List<String> args : List.of(List.of("-C", "user", "-n"), List.of("-C", "service"),
                List.of("-C", "builtin,user", "-n"), List.of("-C", "user"), List.of("-C", "bogus", "-n"),
                List.of("-C", "user", "relayhost", "smtp-amavis_delivery_slot_cost"), List.of("-C", "user", "-d"),
                List.of("-C", "all", "-H"))) {
            cases.add(new PostconfRunner.Case(dir, args));
        }
        same(cases);
    }

    @Test
    void overridesWithDashO() throws IOException {
        Path dir = copy("02-relay-host", "-o");
        same(dir, List.of("-o", "relayhost=[other.example]:25", "-o", "custom_thing=1", "-n"));
        same(dir, List.of("-o", "mydomain=example.net", "-x", "myhostname", "mydomain", "myorigin"));
    }

    @Test
    void expansionErrorsAndLoops() throws IOException {
        List<PostconfRunner.Case> cases = new ArrayList<>();
        String[] bad = {"relayhost = ${myhostname", "relayhost = $", "relayhost = ${{a} ~ {b}?x}",
            "relayhost = ${myhostname!x}", "relayhost = ${myhostname?{x}y}", "relayhost = ${myhostname?{x}:{y}z}",
            "relayhost = ${{a}==b}", "relayhost = ${{1.x}<level{2}?{y}:{n}}",
            "relayhost = $myorigin\nmyorigin = $relayhost"};
        for (int i = 0; i < bad.length; i++) {
            Path dir = Files.createDirectories(work.resolve("errors" + i));
            Files.writeString(dir.resolve("master.cf"), "");
            Files.writeString(dir.resolve("main.cf"), bad[i] + "\n");
            cases.add(new PostconfRunner.Case(dir, List.of("-x", "relayhost")));
            cases.add(new PostconfRunner.Case(dir, List.of("-n")));
        }
        same(cases);
    }

    @Test
    void mainCfSyntaxErrors() throws IOException {
        List<PostconfRunner.Case> cases = new ArrayList<>();
        String[] bad = {"  leading = 1\nmyorigin = a\n", "myorigin = a\ngarbage\n", "myorigin = a\n=x\n",
            "my origin = a\n", "myorigin = a\nmyorigin = b\n", "myorigin = a\nmyorigin = a\n",
            "noequals\n = novalue\n", "relayhost = a\\\n  b\r\n"};
        for (int i = 0; i < bad.length; i++) {
            Path dir = Files.createDirectories(work.resolve("syntax" + i));
            Files.writeString(dir.resolve("master.cf"), "");
            Files.writeString(dir.resolve("main.cf"), bad[i]);
            cases.add(new PostconfRunner.Case(dir, List.of("-n")));
            cases.add(new PostconfRunner.Case(dir, List.of("-h", "myorigin")));
        }
        same(cases);
    }

    @Test
    void masterCfErrors() throws IOException {
        String[] ok = {"smtp inet n - n 10? - smtpd\n", "  smtp inet n - n - - smtpd\n",
            "smtp inet n - n - - smtpd -o a=b\nsmtp inet n - y - 5 smtpd\n",
            "x unix - - n - - pipe argv=/bin/x {a b} -o { a = b c } -oq=r -o z = y\n",
            "smtp inet n - n - - smtpd -o { a = b\n", "smtp inet n - n - - smtpd -o\n",
            "[::1]:10025 inet n - n - - smtpd -o novalue\n"};
        List<PostconfRunner.Case> cases = new ArrayList<>();
        for (int i = 0; i < ok.length; i++) {
            Path dir = Files.createDirectories(work.resolve("master" + i));
            Files.writeString(dir.resolve("main.cf"), "");
            Files.writeString(dir.resolve("master.cf"), ok[i]);
            for (String opt : List.of("-M", "-Mf", "-P")) cases.add(new PostconfRunner.Case(dir, List.of(opt)));
        }
        same(cases);
        Path dir = Files.createDirectories(work.resolve("master-errors"));
        Files.writeString(dir.resolve("main.cf"), "");
        // Posthorn names the file and line in these errors where Postfix does not: compare status only
        String[] bad = {"smtp inet n - n - -\n", "smtp bogus n - n - - smtpd\n", "smtp inet n - n - x smtpd\n",
            "smtp inet n - n x - smtpd\n", "smtp inet q - n - - smtpd\n", "smtp inet n - n - -1 smtpd\n"};
        for (String text : bad) {
            Files.writeString(dir.resolve("master.cf"), text);
            settle(dir);
            try {
                PostconfRunner.Result want = PostconfRunner.debian(dir, "-M");
                PostconfRunner.Result got = PostconfRunner.posthorn(dir, "-M");
                assertThat(got.status()).as(text).isEqualTo(want.status()).isEqualTo(1);
                assertThat(got.out()).isEqualTo(want.out());
                assertThat(got.err()).startsWith("postconf: fatal: file " + dir + "/master.cf: line 1: ");
                assertThat(got.err().strip()).endsWith(want.err().strip().replace("postconf: fatal: ", ""));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void optionCombinationsAndListings() throws IOException {
        Path dir = copy("01-debian-default", "-opts");
        List<PostconfRunner.Case> cases = new ArrayList<>();
        for (String opts : List.of("-nM", "-dM", "-eX", "-MF", "-hH", "-xe", "-dn", "-Mh", "-de", "-mn", "-ld",
                "-aM", "-MP", "-fe", "-He", "-eh", "-Fd", "-Pn", "-mh", "-AH", "-#X", "-#n", "-Xx", "-P#", "-FX",
                "-Z", "-l")) {
            cases.add(new PostconfRunner.Case(dir, List.of(opts)));
        }
        same(cases);
    }

    @Test
    void theLauncherPrintsTheSame() throws IOException, InterruptedException {
        Path dir = copy("06-submission-server", "-launcher");
        for (List<String> args : List.of(List.of("-n"), List.of("-M"), List.of("-h", "myhostname", "mydomain"))) {
            String[] a = args.toArray(String[]::new);
            PostconfRunner.Result want = PostconfRunner.debian(dir, a);
            PostconfRunner.Result got = PostconfRunner.launcher(dir, a);
            assertThat(got.out()).isEqualTo(want.out());
            assertThat(got.errLines(dir)).isEqualTo(want.errLines(dir));
        }
        assertThat(PostconfRunner.launcher(dir, "-h", "mail_version").out().strip())
                .isEqualTo(org.posthorn.config.Defaults.POSTHORN_VERSION);
        // MAIL_CONFIG instead of -c
        Path home = Path.of(System.getProperty("posthorn.home", "."));
        PostconfRunner.Result want = PostconfRunner.withMailConfig(dir, PostconfRunner.DEBIAN.toString(), "-n");
        PostconfRunner.Result got = PostconfRunner.withMailConfig(dir, home.resolve("bin/postconf").toString(), "-n");
        assertThat(got.out()).contains("config_directory = " + dir).isEqualTo(want.out());
    }

    /** parameters.tsv is what src/build/gen-parameters.py makes from the installed Postfix today. */
    @Test
    void registryResourceIsUpToDate() throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("posthorn.home", "."));
        Process p = new ProcessBuilder("python3", home.resolve("src/build/gen-parameters.py").toString(), "--check")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "<missing>";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
