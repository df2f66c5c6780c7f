package org.posthorn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** postconf in this JVM: the listings Posthorn decides for itself, and a round trip of -e. */
class PostconfTest {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "postconf";
        System.arraycopy(args, 0, argv, 1, args.length);
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            org.posthorn.log.Log.setStderr(true); // other tests in this JVM may run daemons that turn it off
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.run(argv);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void listsWhatPosthornSupports() {
        assertThat(run("-m").out()).isEqualTo(String.join("\n", "btree", "cdb", "cidr", "environ", "fail", "hash",
                "inline", "lmdb", "memcache", "mysql", "pcre", "pgsql", "pipemap", "proxy", "randmap", "regexp", "socketmap",
                "static", "tcp", "texthash", "unionmap", "unix") + "\n");
        assertThat(run("-l").out()).isEqualTo("flock\nfcntl\ndotlock\n");
        assertThat(run("-a").out()).isEqualTo("dovecot\n");
        assertThat(run("-A").out()).isEmpty();
    }

    @Test
    void editThenRead() throws Exception {
        Files.writeString(dir.resolve("main.cf"), "# mine\nmyhostname = old.example\n");
        Files.writeString(dir.resolve("master.cf"), "smtp inet n - n - - smtpd\n");
        String c = dir.toString();
        assertThat(run("-c", c, "-e", "myhostname = mail.example.com", "relayhost=[gw]:587").status()).isZero();
        assertThat(Files.readString(dir.resolve("main.cf")))
                .isEqualTo("# mine\nmyhostname = mail.example.com\nrelayhost = [gw]:587\n");
        assertThat(run("-c", c, "-h", "mydomain", "relayhost").out()).isEqualTo("example.com\n[gw]:587\n");
        Run unknown = run("-c", c, "-h", "nosuch");
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.err()).isEqualTo("postconf: warning: nosuch: unknown parameter\n");
        assertThat(run("-c", c, "-o", "myhostname=x.example.net", "-xh", "mydomain").out()).isEqualTo("example.net\n");
    }

    @Test
    void errorsAreFatalNotStackTraces() throws Exception {
        Files.writeString(dir.resolve("main.cf"), "relayhost = ${oops\n");
        Run r = run("-c", dir.toString(), "-n");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("postconf: warning: truncated macro reference: \"${oops\"")
                .endsWith("postconf: fatal: macro processing error\n");
        Files.writeString(dir.resolve("main.cf"), "garbage\n");
        assertThat(run("-c", dir.toString(), "-n").err())
                .isEqualTo("postconf: fatal: " + dir + "/main.cf, line 1: missing '=' after attribute name: \"garbage\"\n");
        assertThat(run("-Mn").err()).isEqualTo("postconf: fatal: with option -M, do not specify -n\n");
        Run usage = run("-Z");
        assertThat(usage.status()).isEqualTo(1);
        assertThat(usage.err()).startsWith("postconf: invalid option -- 'Z'\npostconf: fatal: usage: postconf [-a");
    }
}
