package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.local.Fixture;
import org.posthorn.local.LocalService;
import org.posthorn.local.Ownership;
import org.posthorn.local.Passwd;
import org.posthorn.table.TableFactory;

/**
 * Debian's Postfix local(8) and ours deliver the same message, to an mbox in
 * mail_spool_directory and to a Maildir named by an alias: the files must be the same bytes
 * (the From_ line's time aside), and the Maildir file must have the same owner.
 */
@Tag("interop")
class LocalDeliveryOracleTest {
    private static final String MASTER_CF = """
            pickup    unix  n       -       n       60      1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            local     unix  -       n       n       -       -       local
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            postlog   unix-dgram n  -       n       -       1       postlogd
            """;

    private static final String MESSAGE = "Subject: oracle\nFrom: s@remote.example\n\nFrom the start\n>From quoted\n"
            + ".dot\n\n" + "long ".repeat(700) + "\nlast line";

    @TempDir
    Path tmp;

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static Path await(Path dir) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (Files.isDirectory(dir) && !files(dir).isEmpty()) return files(dir).get(0);
            Thread.sleep(50);
        }
        throw new AssertionError("Postfix delivered nothing into " + dir);
    }

    private static String withoutFromLineTime(String mbox) {
        return mbox.replaceAll("(?m)^(From \\S+  )\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}$", "$1TIME");
    }

    @Test
    void sameBytesAsPostfixLocal() throws Exception {
        Assumptions.assumeTrue(Ownership.privileged(), "the real Postfix runs as root");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/postfix")), "Debian's postfix is not installed");
        Path ref = tmp.resolve("ref");
        Path refMail = ref.resolve("mail");
        Path refMd = ref.resolve("md");
        Files.createDirectories(refMail);
        Files.createDirectories(refMd);
        Files.setPosixFilePermissions(refMail, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(refMd, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createDirectories(ref.resolve("etc"));
        Files.writeString(ref.resolve("etc/aliases"), "mdcopy: " + refMd + "/\n");
        new ProcessBuilder("postalias", ref.resolve("etc/aliases").toString()).inheritIO().start().waitFor();
        String refMbox;
        String refMaildir;
        int refOwner;
        Object refMode;
        try (RealPostfix pf = new RealPostfix(ref)) {
            pf.start(List.of("myhostname = reference.test", "mydestination = reference.test",
                    "inet_interfaces = loopback-only", "inet_protocols = ipv4", "mail_spool_directory = " + refMail,
                    "alias_maps = hash:" + ref.resolve("etc/aliases")), MASTER_CF);
            Process send = new ProcessBuilder("/usr/sbin/sendmail", "-C", pf.etc.toString(), "-f", "s@remote.example",
                    "Root@Reference.Test", "MdCopy@Reference.Test").start();
            send.getOutputStream().write(MESSAGE.getBytes(StandardCharsets.UTF_8));
            send.getOutputStream().close();
            assertThat(send.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Path md = await(refMd.resolve("new"));
            Path box = refMail.resolve("root");
            for (int i = 0; i < 200 && !Files.exists(box); i++) Thread.sleep(50);
            Thread.sleep(200);
            refMaildir = Files.readString(md);
            refMbox = Files.readString(box);
            refOwner = Ownership.ownerOf(md);
            refMode = Files.getPosixFilePermissions(box);
        }
        // the queued content is what the Maildir copy holds after the three prepended headers
        String content = refMaildir.split("\n", 4)[3];

        Fixture f = new Fixture(tmp.resolve("ours"));
        Files.writeString(f.passwdFile, "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        Path mail = tmp.resolve("ours/mail");
        Path md = tmp.resolve("ours/md");
        Files.createDirectories(mail);
        Path aliases = tmp.resolve("ours/aliases");
        Files.writeString(aliases, "mdcopy " + md + "/\n");
        TableFactory.clearCache();
        f.params.put("myhostname", "reference.test");
        f.params.put("myorigin", "reference.test");
        f.params.put("mydestination", "reference.test");
        f.params.put("mail_spool_directory", mail.toString());
        f.params.put("alias_maps", "texthash:" + aliases);
        Path q = f.message("s@remote.example", content, "Root@Reference.Test", "MdCopy@Reference.Test");
        LocalService.of(f.config(), new Passwd(f.passwdFile), f.cleanup)
                .deliver(f.request(q, "s@remote.example", "Root@Reference.Test", "MdCopy@Reference.Test"));
        assertThat(f.report.lines()).containsExactlyInAnyOrder(
                "sent to=<Root@Reference.Test> orig_to=<Root@Reference.Test> relay=local dsn=2.0.0 (delivered to mailbox)",
                "sent to=<MdCopy@Reference.Test> orig_to=<MdCopy@Reference.Test> relay=local dsn=2.0.0 (delivered to maildir)");
        Path ourMd = files(md.resolve("new")).get(0);
        assertThat(Files.readString(ourMd)).isEqualTo(refMaildir);
        assertThat(Ownership.ownerOf(ourMd)).isEqualTo(refOwner);
        assertThat(withoutFromLineTime(Files.readString(mail.resolve("root")))).isEqualTo(withoutFromLineTime(refMbox));
        assertThat(Files.getPosixFilePermissions(mail.resolve("root"))).isEqualTo(refMode);
    }
}
