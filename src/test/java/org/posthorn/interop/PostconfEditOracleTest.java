package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Oracle tests for postconf's editing options (-e, -X, -#, -Me, -MX, -M#, -Fe, -Pe, -PX):
 * the same command runs on two copies of a corpus directory, one with Debian's postconf and
 * one with Posthorn's, and the resulting main.cf and master.cf must be the same bytes. Where
 * several new names are added Postfix appends them in random order (its hash table has a
 * random seed), so those cases compare the lines in any order.
 */
@Tag("interop")
class PostconfEditOracleTest {
    @TempDir
    static Path work;

    @BeforeAll
    static void oracle() {
        assumeTrue(PostconfRunner.debianAvailable(), "Debian's postconf is not installed; the oracle tests need it");
    }

    static Stream<Arguments> edits() {
        return Stream.of(
                edit("01-debian-default", "-e", "relayhost = [mail.example.com]:587", "myhostname=new.example.com"),
                edit("01-debian-default", "-e", "zzz_new = 1"),
                anyOrder("01-debian-default", "-e", "zzz_new = 1", "aaa_new = 2", "smtpd_tls_security_level = may"),
                edit("12-continuation-lines", "-e", "smtpd_client_restrictions = permit"),
                edit("12-continuation-lines", "-X", "smtpd_helo_restrictions", "header_checks"),
                edit("12-continuation-lines", "-#", "smtpd_client_restrictions", "nonexistent"),
                edit("22-duplicates-and-overrides", "-e", "myorigin=x"),
                edit("22-duplicates-and-overrides", "-X", "myorigin"),
                edit("13-comments-and-blank", "-e", "disable_vrfy_command = no"),
                edit("24-empty", "-e", "myhostname = a.example"),
                edit("01-debian-default", "-e", "bad name = 1"),
                edit("01-debian-default", "-e", "novalue"),
                edit("01-debian-default", "-X"),
                edit("01-debian-default", "-X", "a=b"),
                edit("01-debian-default", "-#", "a=b"),
                edit("07-content-filter", "-Me",
                        "smtp-amavis/unix = smtp-amavis unix - - n - 4 smtp -o smtp_data_done_timeout=1200 -o { smtp_tls_security_level = none }"),
                edit("07-content-filter", "-Me", "new/unix = new unix - n n - - pipe flags=R user=nobody argv=/bin/true ${recipient}"),
                edit("01-debian-default", "-Me", "smtp/inet = smtp inet n - y - 1 postscreen"),
                edit("01-debian-default", "-Me", "smtp/inet"),
                edit("07-content-filter", "-MX", "127.0.0.1:10025/inet"),
                edit("07-content-filter", "-M#", "smtp-amavis/unix", "local/unix"),
                edit("01-debian-default", "-M#", "smtp/inet", "relay/unix"),
                edit("10-postscreen", "-MX", "submission/inet", "nonexist/unix"),
                edit("01-debian-default", "-MX", "smtp"),
                edit("01-debian-default", "-Fe", "smtp/inet/chroot = n"),
                edit("07-content-filter", "-Fe", "smtp-amavis/unix/process_limit=5", "local/unix/command = local -v",
                        "qmgr/unix/wakeup = 60"),
                edit("07-content-filter", "-Fe", "smtp-amavis/unix/maxproc=5"),
                edit("01-debian-default", "-Pe", "smtp/inet/x = n"),
                edit("07-content-filter", "-Pe", "smtp-amavis/unix/max_use=5", "127.0.0.1:10025/inet/mynetworks = 10.0.0.0/8",
                        "local/unix/q=1"),
                edit("07-content-filter", "-Pe", "nonexist/unix/a=1"),
                edit("17-policy-greylist", "-Pe", "dovecot/unix/a=1"),
                edit("07-content-filter", "-PX", "smtp-amavis/unix/max_use", "127.0.0.1:10025/inet/mynetworks", "local/unix/q"),
                edit("10-postscreen", "-PX", "smtps/inet/smtpd_client_restrictions"));
    }

    static Arguments edit(String corpus, String... args) {
        return Arguments.of(corpus, List.of(args), false);
    }

    static Arguments anyOrder(String corpus, String... args) {
        return Arguments.of(corpus, List.of(args), true);
    }

    @ParameterizedTest(name = "{0}: postconf {1}")
    @MethodSource("edits")
    void editsAsPostfixDoes(String corpus, List<String> args, boolean anyOrder) throws Exception {
        Path theirs = PostconfOracleTest.copy(work, corpus, "-edit-debian-" + Math.abs(args.hashCode()));
        Path ours = PostconfOracleTest.copy(work, corpus, "-edit-posthorn-" + Math.abs(args.hashCode()));
        String[] a = args.toArray(String[]::new);
        PostconfOracleTest.settle(theirs);
        PostconfOracleTest.settle(ours);
        PostconfRunner.Result want = PostconfRunner.debian(theirs, a);
        PostconfRunner.Result got = PostconfRunner.posthorn(ours, a);
        assertThat(got.status()).as("exit status").isEqualTo(want.status());
        assertThat(got.out()).isEqualTo(want.out());
        assertThat(got.errLines(ours)).isEqualTo(want.errLines(theirs));
        for (String file : List.of("main.cf", "master.cf")) {
            String w = Files.readString(theirs.resolve(file));
            String g = Files.readString(ours.resolve(file));
            if (anyOrder) assertThat(g.lines().sorted().toList()).as(file).isEqualTo(w.lines().sorted().toList());
            else assertThat(g).as(file).isEqualTo(w);
        }
    }
}
