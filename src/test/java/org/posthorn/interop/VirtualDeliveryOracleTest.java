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
import org.posthorn.local.Ownership;
import org.posthorn.table.TableFactory;
import org.posthorn.virtual.VirtualService;

/**
 * Debian's Postfix virtual(8) and ours deliver the same message to a Maildir and an mbox
 * under virtual_mailbox_base, owned by virtual_uid_maps/virtual_gid_maps: same bytes (the
 * From_ line's time aside), same owner.
 */
@Tag("interop")
class VirtualDeliveryOracleTest {
    private static final String MASTER_CF = """
            pickup    unix  n       -       n       60      1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            virtual   unix  -       n       n       -       -       virtual
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            postlog   unix-dgram n  -       n       -       1       postlogd
            """;
    private static final String MESSAGE = "Subject: virtual oracle\n\nFrom the start\n.dot\nend\n";

    @TempDir
    Path tmp;

    private static Path first(Path dir) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    var found = s.findFirst();
                    if (found.isPresent()) return found.get();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing delivered into " + dir);
    }

    private static String withoutTime(String s) {
        return s.replaceAll("(?m)^(From \\S+  )\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}$", "$1TIME");
    }

    private static void base(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("hosted.test"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(dir.resolve("hosted.test"), PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @Test
    void sameBytesAndOwnerAsPostfixVirtual() throws Exception {
        Assumptions.assumeTrue(Ownership.privileged(), "the real Postfix runs as root");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/postfix")), "Debian's postfix is not installed");
        Path ref = tmp.resolve("ref");
        Path refBase = ref.resolve("vmail");
        base(refBase);
        Path maps = tmp.resolve("vmailbox");
        Files.writeString(maps, "md@hosted.test hosted.test/md/\nbox@hosted.test hosted.test/box\n");
        String refMd;
        String refBox;
        int refOwner;
        try (RealPostfix pf = new RealPostfix(ref)) {
            pf.start(List.of("myhostname = reference.test", "mydestination =", "inet_interfaces = loopback-only",
                    "inet_protocols = ipv4", "virtual_mailbox_domains = hosted.test",
                    "virtual_mailbox_maps = texthash:" + maps, "virtual_mailbox_base = " + refBase,
                    "virtual_uid_maps = static:65534", "virtual_gid_maps = static:65534"), MASTER_CF);
            Process send = new ProcessBuilder("/usr/sbin/sendmail", "-C", pf.etc.toString(), "-f", "s@remote.example",
                    "MD@Hosted.Test", "box@hosted.test").start();
            send.getOutputStream().write(MESSAGE.getBytes(StandardCharsets.UTF_8));
            send.getOutputStream().close();
            assertThat(send.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Path md = first(refBase.resolve("hosted.test/md/new"));
            Path box = refBase.resolve("hosted.test/box");
            for (int i = 0; i < 200 && !Files.exists(box); i++) Thread.sleep(50);
            Thread.sleep(200);
            refMd = Files.readString(md);
            refBox = Files.readString(box);
            refOwner = Ownership.ownerOf(md);
        }
        String content = refMd.split("\n", 4)[3];

        Fixture f = new Fixture(tmp.resolve("ours"));
        Path base = tmp.resolve("ours/vmail");
        base(base);
        TableFactory.clearCache();
        f.params.put("virtual_mailbox_domains", "hosted.test");
        f.params.put("virtual_mailbox_maps", "texthash:" + maps);
        f.params.put("virtual_mailbox_base", base.toString());
        f.params.put("virtual_uid_maps", "static:65534");
        f.params.put("virtual_gid_maps", "static:65534");
        Path q = f.message("s@remote.example", content, "MD@Hosted.Test", "box@hosted.test");
        VirtualService.of(f.config()).deliver(f.request(q, "s@remote.example", "MD@Hosted.Test", "box@hosted.test"));
        assertThat(f.report.lines()).containsExactly(
                "sent to=<MD@Hosted.Test> orig_to=<MD@Hosted.Test> relay=virtual dsn=2.0.0 (delivered to maildir)",
                "sent to=<box@hosted.test> orig_to=<box@hosted.test> relay=virtual dsn=2.0.0 (delivered to mailbox)");
        Path ourMd = first(base.resolve("hosted.test/md/new"));
        assertThat(Files.readString(ourMd)).isEqualTo(refMd);
        assertThat(Ownership.ownerOf(ourMd)).isEqualTo(refOwner).isEqualTo(65534);
        assertThat(withoutTime(Files.readString(base.resolve("hosted.test/box")))).isEqualTo(withoutTime(refBox));
    }
}
