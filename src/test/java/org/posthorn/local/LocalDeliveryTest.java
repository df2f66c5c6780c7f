package org.posthorn.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDeliveryTest {
    static final String MSG = "Subject: hi\nFrom: s@remote.example\n\nFrom here on\n.dot line\nbye\n";

    @TempDir
    Path tmp;
    Fixture f;
    Path alice;

    @BeforeEach
    void setUp() throws IOException {
        f = new Fixture(tmp);
        alice = f.user("alice");
        f.user("bob");
        f.params.put("mail_spool_directory", tmp.resolve("mail").toString());
        Files.createDirectories(tmp.resolve("mail"));
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void maildirInSpoolDirectoryWithTrailingSlash() throws Exception {
        f.params.put("mail_spool_directory", tmp.resolve("mail") + "/");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.lines()).containsExactly(
                "sent to=<alice@host.example> orig_to=<alice@host.example> relay=local dsn=2.0.0 (delivered to maildir)");
        Path md = tmp.resolve("mail/alice");
        assertThat(files(md.resolve("tmp"))).isEmpty();
        assertThat(files(md.resolve("cur"))).isEmpty();
        List<Path> news = files(md.resolve("new"));
        assertThat(news).hasSize(1);
        assertThat(news.get(0).getFileName().toString()).matches("\\d+\\.V[0-9a-f]+I[0-9a-f]+M\\d+\\..+");
        assertThat(Files.readString(news.get(0))).isEqualTo("Return-Path: <s@remote.example>\n"
                + "X-Original-To: alice@host.example\nDelivered-To: alice@host.example\n" + MSG);
    }

    @Test
    void mboxInSpoolWithFromLineQuotingAndBlankLine() throws Exception {
        f.local("s@remote.example", MSG, "Alice@host.example");
        f.local("", "Subject: two\n\nbody\n", "alice@host.example");
        String box = Files.readString(tmp.resolve("mail/alice"));
        String[] parts = box.split("\n", 2);
        assertThat(parts[0]).matches("From s@remote\\.example  \\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}");
        assertThat(box).contains("Return-Path: <s@remote.example>\nX-Original-To: Alice@host.example\n"
                + "Delivered-To: Alice@host.example\nSubject: hi\nFrom: s@remote.example\n\n>From here on\n.dot line\nbye\n\nFrom MAILER-DAEMON  ");
        assertThat(box).endsWith("Return-Path: <>\nX-Original-To: alice@host.example\nDelivered-To: alice@host.example\n"
                + "Subject: two\n\nbody\n\n");
        assertThat(Files.getPosixFilePermissions(tmp.resolve("mail/alice")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
        assertThat(f.report.lines()).allMatch(l -> l.endsWith("(delivered to mailbox)"));
    }

    @Test
    void homeMailboxMboxAndMaildir() throws Exception {
        f.params.put("home_mailbox", "Mailbox");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(Files.readString(alice.resolve("Mailbox"))).startsWith("From s@remote.example  ");
        f.params.put("home_mailbox", "Maildir/");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(files(alice.resolve("Maildir/new"))).hasSize(1);
    }

    @Test
    void aMaildirMissingNewAndCurIsCompletedAtDelivery() throws Exception {
        // tmp/ alone: the first open succeeds, the link into new/ makes what is missing
        Files.createDirectories(alice.resolve("Maildir/tmp"));
        f.params.put("home_mailbox", "Maildir/");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(files(alice.resolve("Maildir/new"))).hasSize(1);
        assertThat(alice.resolve("Maildir/cur")).isDirectory();
        assertThat(files(alice.resolve("Maildir/tmp"))).isEmpty();
    }

    @Test
    void unknownUserBounces() throws Exception {
        f.local("s@remote.example", MSG, "nosuch@host.example");
        assertThat(f.report.lines()).containsExactly(
                "bounced to=<nosuch@host.example> orig_to=<nosuch@host.example> relay=local dsn=5.1.1 (unknown user: \"nosuch\")");
    }

    @Test
    void deliveredToLoopBounces() throws Exception {
        f.local("s@remote.example", "Delivered-To: alice@host.example\nSubject: loop\n\nx\n", "alice@host.example");
        assertThat(f.report.lines()).containsExactly("bounced to=<alice@host.example> orig_to=<alice@host.example> "
                + "relay=local dsn=5.4.6 (mail forwarding loop for alice@host.example)");
        assertThat(tmp.resolve("mail/alice")).doesNotExist();
    }

    @Test
    void mailboxSizeLimitBouncesAndLeavesTheMailboxAsItWas() throws Exception {
        f.local("s@remote.example", MSG, "alice@host.example");
        byte[] before = Files.readAllBytes(tmp.resolve("mail/alice"));
        f.params.put("mailbox_size_limit", Integer.toString(before.length + 50));
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.entries.get(1).kind()).isEqualTo("bounced");
        assertThat(f.report.entries.get(1).status().dsn()).isEqualTo("5.2.2");
        assertThat(f.report.entries.get(1).status().text()).isEqualTo("cannot update mailbox " + tmp.resolve("mail/alice")
                + " for user alice. error writing message: File too large");
        assertThat(Files.readAllBytes(tmp.resolve("mail/alice"))).isEqualTo(before);
    }

    @Test
    void failureHalfWayTruncatesTheMailboxBack() throws Exception {
        f.local("s@remote.example", MSG, "alice@host.example");
        byte[] before = Files.readAllBytes(tmp.resolve("mail/alice"));
        String big = "Subject: big\n\n" + "line of text\n".repeat(20000);
        Path file = f.message("s@remote.example", big, "alice@host.example");
        // cut the queue file in the middle of its content: the copy fails after writing part of it
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        LocalService.of(f.config(), f.passwd(), f.cleanup).deliver(f.request(file, "s@remote.example", "alice@host.example"));
        assertThat(f.report.entries.get(1).kind()).isEqualTo("deferred");
        assertThat(Files.readAllBytes(tmp.resolve("mail/alice"))).isEqualTo(before);
    }

    @Test
    void dotlockHeldDefersStaleDotlockIsRemoved() throws Exception {
        Files.createDirectories(tmp.resolve("mail"));
        Path lock = tmp.resolve("mail/alice.lock");
        Files.createFile(lock);
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.entries.get(0).kind()).isEqualTo("deferred");
        assertThat(f.report.entries.get(0).status().text()).contains("unable to create lock file " + lock);
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minusSeconds(600)));
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.entries.get(1).kind()).isEqualTo("sent");
        assertThat(lock).doesNotExist();
    }

    @Test
    void kernelLockHeldByAnotherWriterDefers() throws Exception {
        Files.createDirectories(tmp.resolve("mail"));
        Path box = tmp.resolve("mail/alice");
        Files.writeString(box, "");
        Ownership.giveTo(box, Fixture.USER_UID, Fixture.USER_UID);
        try (FileChannel ch = FileChannel.open(box, StandardOpenOption.WRITE); FileLock held = ch.lock()) {
            f.local("s@remote.example", MSG, "alice@host.example");
        }
        assertThat(f.report.entries.get(0).kind()).isEqualTo("deferred");
        assertThat(Files.size(box)).isZero();
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.entries.get(1).kind()).isEqualTo("sent");
    }

    @Test
    void symlinkedMailboxIsRefused() throws Exception {
        Files.createDirectories(tmp.resolve("mail"));
        Path target = tmp.resolve("target");
        Files.writeString(target, "");
        Files.createSymbolicLink(tmp.resolve("mail/alice"), target);
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.entries.get(0).kind()).isEqualTo("bounced");
        assertThat(Files.size(target)).isZero();
    }

    @Test
    void concurrentDeliveriesToOneMailboxDoNotInterleave() throws Exception {
        Path file = f.message("s@remote.example", "Subject: c\n\n" + "abc\n".repeat(2000), "alice@host.example");
        LocalService agent = LocalService.of(f.config(), f.passwd(), f.cleanup);
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    agent.deliver(f.request(file, "s@remote.example", "alice@host.example"));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        f.params.put("deliver_lock_attempts", "20");
        String box = Files.readString(tmp.resolve("mail/alice"));
        long sent = f.report.entries.stream().filter(e -> e.kind().equals("sent")).count();
        assertThat(box.split("\nFrom s@remote.example  ", -1)).hasSize((int) sent);
        assertThat(sent).isEqualTo(8);
    }

    @Test
    void filesCreatedForAUserBelongToThemAndCommandsRunAsThem() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Ownership.privileged(), "needs root");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(Ownership.ownerOf(tmp.resolve("mail/alice"))).isEqualTo(Fixture.USER_UID);
        f.params.put("home_mailbox", "Maildir/");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(Ownership.ownerOf(alice.resolve("Maildir"))).isEqualTo(Fixture.USER_UID);
        assertThat(Ownership.ownerOf(alice.resolve("Maildir/new"))).isEqualTo(Fixture.USER_UID);
        assertThat(Ownership.ownerOf(files(alice.resolve("Maildir/new")).get(0))).isEqualTo(Fixture.USER_UID);
        f.params.put("mailbox_command", "id -u > " + alice.resolve("uid"));
        f.local("s@remote.example", MSG, "bob@host.example");
        assertThat(Files.readString(alice.resolve("uid")).strip()).isEqualTo(Integer.toString(Fixture.USER_UID));
    }

    @Test
    void rootsCommandsRunAsDefaultPrivs() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Ownership.privileged(), "needs root");
        f.user("root", 0, tmp);
        f.params.put("default_privs", "bob");
        f.params.put("mailbox_command", "id -u > " + alice.resolve("rootuid"));
        f.local("s@remote.example", MSG, "root@host.example");
        assertThat(Files.readString(alice.resolve("rootuid")).strip()).isEqualTo(Integer.toString(Fixture.USER_UID));
    }

    @Test
    void asRootAForwardCannotWriteOrIncludeWhatTheUserCouldNot() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Ownership.privileged(), "needs root");
        Path secret = tmp.resolve("secret");
        Files.writeString(secret, "root-only\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path rootDir = tmp.resolve("rootdir");
        Files.createDirectories(rootDir);
        Files.setPosixFilePermissions(rootDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(alice.resolve(".forward"), secret + "\n" + rootDir.resolve("new") + "\n:include:" + secret + "\n");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.lines()).containsExactly(
                "bounced to=<alice@host.example> orig_to=<alice@host.example> relay=local dsn=5.2.0 (cannot append message to file "
                        + secret + ": cannot open file: Permission denied)",
                "bounced to=<alice@host.example> orig_to=<alice@host.example> relay=local dsn=5.2.0 (cannot append message to file "
                        + rootDir.resolve("new") + ": cannot open file: Permission denied)",
                "bounced to=<alice@host.example> orig_to=<alice@host.example> relay=local dsn=5.2.0 (cannot open include file "
                        + secret + ": Permission denied)");
        assertThat(Files.readString(secret)).isEqualTo("root-only\n");
        assertThat(rootDir.resolve("new")).doesNotExist();
    }

    @Test
    void asRootAMailboxOfSomeoneElseIsNotAppendedTo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Ownership.privileged(), "needs root");
        Path box = tmp.resolve("mail/alice");
        Files.writeString(box, "");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.entries.get(0).kind()).isEqualTo("deferred");
        assertThat(f.report.entries.get(0).status().text()).contains("not owned by the recipient");
        assertThat(Files.size(box)).isZero();
    }

    @Test
    void missingSpoolDirectoryBouncesAsPostfix() throws Exception {
        Path spool = tmp.resolve("nomail");
        f.params.put("mail_spool_directory", spool.toString());
        f.local("s@remote.example", MSG, "alice@host.example");
        // Debian's Postfix 3.7 says exactly this (the dot lock comes before the mailbox)
        assertThat(f.report.lines()).containsExactly("bounced to=<alice@host.example> orig_to=<alice@host.example> relay=local "
                + "dsn=5.2.0 (cannot update mailbox " + spool.resolve("alice") + " for user alice. unable to create lock file "
                + spool.resolve("alice.lock") + ": No such file or directory)");
    }
}
