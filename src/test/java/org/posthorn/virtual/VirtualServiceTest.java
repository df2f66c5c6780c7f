package org.posthorn.virtual;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.local.Fixture;
import org.posthorn.local.Ownership;
import org.posthorn.table.TableFactory;

class VirtualServiceTest {
    static final String MSG = "Subject: v\n\nFrom me\nbody\n";

    @TempDir
    Path tmp;
    Fixture f;

    @BeforeEach
    void setUp() throws IOException {
        TableFactory.clearCache();
        f = new Fixture(tmp);
        Path maps = tmp.resolve("vmailbox");
        Files.writeString(maps, "info@hosted.example hosted.example/info/\nsales@hosted.example hosted.example/sales\n"
                + "@catchall.example catchall/\n");
        f.params.put("virtual_mailbox_domains", "hosted.example catchall.example");
        f.params.put("virtual_mailbox_maps", "texthash:" + maps);
        f.params.put("virtual_mailbox_base", tmp.resolve("vmail").toString());
        int uid = Math.max(Ownership.selfUid(), 0);
        f.params.put("virtual_uid_maps", "static:" + uid);
        f.params.put("virtual_gid_maps", "static:" + uid);
        f.params.put("virtual_minimum_uid", Integer.toString(uid));
    }

    private void deliver(String... rcpts) throws Exception {
        Path q = f.message("s@remote.example", MSG, rcpts);
        VirtualService.of(f.config()).deliver(f.request(q, "s@remote.example", rcpts));
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void maildirAndMboxUnderTheBase() throws Exception {
        Files.createDirectories(tmp.resolve("vmail/hosted.example"));
        deliver("info@hosted.example", "Sales@Hosted.example", "x@catchall.example");
        assertThat(f.report.lines()).containsExactly(
                "sent to=<info@hosted.example> orig_to=<info@hosted.example> relay=virtual dsn=2.0.0 (delivered to maildir)",
                "sent to=<Sales@Hosted.example> orig_to=<Sales@Hosted.example> relay=virtual dsn=2.0.0 (delivered to mailbox)",
                "sent to=<x@catchall.example> orig_to=<x@catchall.example> relay=virtual dsn=2.0.0 (delivered to maildir)");
        assertThat(count(tmp.resolve("vmail/hosted.example/info/new"))).isEqualTo(1);
        assertThat(count(tmp.resolve("vmail/catchall/new"))).isEqualTo(1);
        String box = Files.readString(tmp.resolve("vmail/hosted.example/sales"));
        assertThat(box).startsWith("From s@remote.example  ").contains("Delivered-To: Sales@Hosted.example\nSubject: v\n\n>From me\nbody\n\n");
    }

    @Test
    void unknownRecipientBounces() throws Exception {
        deliver("nobody@hosted.example");
        assertThat(f.report.lines()).containsExactly("bounced to=<nobody@hosted.example> orig_to=<nobody@hosted.example> "
                + "relay=virtual dsn=5.1.1 (unknown user: \"nobody@hosted.example\")");
    }

    @Test
    void uidBelowMinimumDefers() throws Exception {
        f.params.put("virtual_minimum_uid", "100000");
        deliver("info@hosted.example");
        assertThat(f.report.entries.get(0).kind()).isEqualTo("deferred");
        assertThat(f.report.entries.get(0).status().text()).contains("bad uid").contains("virtual_uid_maps");
    }

    @Test
    void mailboxLimit() throws Exception {
        Files.createDirectories(tmp.resolve("vmail/hosted.example"));
        f.params.put("virtual_mailbox_limit", "20");
        deliver("sales@hosted.example");
        assertThat(f.report.entries.get(0).status().dsn()).isEqualTo("5.2.2");
        assertThat(Files.size(tmp.resolve("vmail/hosted.example/sales"))).isZero();
    }
}
