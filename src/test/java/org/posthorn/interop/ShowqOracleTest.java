package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.showq.ShowqTestQueue;

/**
 * postqueue -p / -j against Debian's Postfix 3.7.11 on the same queue directory, byte for
 * byte: Postfix's postqueue run by root reads a queue with no master through its showq in
 * stand-alone mode; ours reads it directly; then our master serves public/showq and
 * Postfix's own postqueue is its client. Error texts and exit statuses are compared too.
 */
@Tag("interop")
class ShowqOracleTest {
    private static final Path POSTFIX_POSTQUEUE = Path.of("/usr/sbin/postqueue");

    @TempDir
    Path dir;
    private Path etc;
    private boolean masterStarted;

    @AfterEach
    void stop() throws Exception {
        if (masterStarted) PostfixCommandTest.run(List.of(bin("postfix"), "-c", etc.toString(), "stop"), Map.of());
    }

    private static String bin(String name) {
        return PostfixCommandTest.HOME.resolve("bin/" + name).toString();
    }

    private PostfixCommandTest.Result ours(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(bin("postqueue"), "-c", etc.toString()));
        cmd.addAll(List.of(args));
        return PostfixCommandTest.run(cmd, Map.of("TZ", "UTC"));
    }

    private PostfixCommandTest.Result theirs(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(POSTFIX_POSTQUEUE.toString(), "-c", etc.toString()));
        cmd.addAll(List.of(args));
        return PostfixCommandTest.run(cmd, Map.of("TZ", "UTC"));
    }

    /** A queue of every kind of message; Postfix's showq drops to mail_owner, so the tree must be readable to it. */
    private void queue(String... mainCf) throws Exception {
        assumeTrue(Files.isExecutable(POSTFIX_POSTQUEUE), "Debian's postfix is not installed");
        assumeTrue("root".equals(System.getProperty("user.name")), "Postfix's postqueue reads the queue directly only as root");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        etc = dir.resolve("etc");
        ShowqTestQueue.writeMainCf(etc, dir.resolve("spool"), mainCf);
        ShowqTestQueue.fill(QueueDirectory.of(Config.load(etc)));
        var postfix = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postfix");
        try (Stream<Path> all = Files.walk(dir.resolve("spool"))) {
            for (Path p : all.toList()) {
                if (Files.isDirectory(p)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.setOwner(p, postfix);
            }
        }
    }

    private void sameListing() throws Exception {
        for (String mode : List.of("-p", "-j")) {
            PostfixCommandTest.Result want = theirs(mode);
            PostfixCommandTest.Result got = ours(mode);
            assertThat(want.status()).as(want.err()).isZero();
            assertThat(want.out()).contains("odd name");
            assertThat(got.status()).as(got.err()).isZero();
            assertThat(got.out()).as(mode).isEqualTo(want.out());
            assertThat(got.err()).isEqualTo(want.err());
        }
    }

    @Test
    void directListingMatchesPostfix() throws Exception {
        queue();
        sameListing();
        assertThat(ours("-p").err()).isEqualTo(
                "postqueue: warning: Mail system is down -- accessing queue directly (Connect to the Postfix showq service: No such file or directory)\n");
    }

    @Test
    void longQueueIdsMatchPostfix() throws Exception {
        queue("enable_long_queue_ids = yes");
        assertThat(ours("-p").out()).startsWith("----Queue ID----- --Size-- ---Arrival Time----");
        sameListing();
    }

    @Test
    void postfixPostqueueReadsOurShowqService() throws Exception {
        queue();
        PostfixCommandTest.Result direct = theirs("-p");
        PostfixCommandTest.Result directJson = theirs("-j");
        Files.writeString(etc.resolve("master.cf"), "showq     unix  n       -       n       -       -       showq\n");
        PostfixCommandTest.Result start = PostfixCommandTest.run(List.of(bin("postfix"), "-c", etc.toString(), "start"), Map.of());
        assertThat(start.status()).as(start.err()).isZero();
        masterStarted = true;
        PostfixCommandTest.Result viaOurs = theirs("-p");
        assertThat(viaOurs.err()).isEmpty(); // no "mail system is down": it talked to our showq
        assertThat(viaOurs.out()).isEqualTo(direct.out());
        assertThat(theirs("-j").out()).isEqualTo(directJson.out());
        PostfixCommandTest.Result oursViaOurs = ours("-p");
        assertThat(oursViaOurs.err()).isEmpty();
        assertThat(oursViaOurs.out()).isEqualTo(direct.out());
        // mailq and sendmail -bp are the same listing
        assertThat(PostfixCommandTest.run(List.of(bin("mailq"), "-C", etc.toString()), Map.of("TZ", "UTC")).out()).isEqualTo(direct.out());
        assertThat(PostfixCommandTest.run(List.of(bin("sendmail"), "-C", etc.toString(), "-bp"), Map.of("TZ", "UTC")).out())
                .isEqualTo(direct.out());
    }

    @Test
    void errorsMatchPostfix() throws Exception {
        queue();
        List<List<String>> cases = List.of(List.of(), List.of("-p", "-f"), List.of("-p", "extra"), List.of("-i", "not/an/id"),
                List.of("-s", "bad..site"), List.of("-s", "[300.1.1.1]"), List.of("-s", "not.eligible.test"), List.of("-f"));
        for (List<String> args : cases) {
            PostfixCommandTest.Result want = theirs(args.toArray(String[]::new));
            PostfixCommandTest.Result got = ours(args.toArray(String[]::new));
            assertThat(got.status()).as(args + ": " + got.err()).isEqualTo(want.status());
            assertThat(got.err()).as(args.toString()).isEqualTo(want.err());
        }
    }
}
