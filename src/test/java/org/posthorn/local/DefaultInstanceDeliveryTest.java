package org.posthorn.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.cli.Postalias;
import org.posthorn.config.Config;
import org.posthorn.config.DefaultInstance;
import org.posthorn.table.TableFactory;

/** A newcomer's checkout: mail for the invoking user and for postmaster lands in var/mail/USER/. */
class DefaultInstanceDeliveryTest {
    @TempDir
    Path home;

    @Test
    void firstMessageLandsInTheCheckoutsMaildir() throws Exception {
        Path etc = home.resolve("var/etc");
        DefaultInstance.create(home, etc);
        assertThat(new Postalias().run(new String[] {"-c", etc.toString(), "hash:" + etc.resolve("aliases")})).isZero();
        TableFactory.clearCache();
        Config config = Config.load(etc);
        String user = System.getProperty("user.name");
        Fixture f = new Fixture(home.resolve("work"));
        Path q = f.message("someone@example.org", "Subject: hello\n\nfirst message\n", "postmaster@localhost", user + "@localhost.localdomain");
        LocalService.of(config, Passwd.system(), f.cleanup)
                .deliver(f.request(q, "someone@example.org", "postmaster@localhost", user + "@localhost.localdomain"));
        assertThat(f.report.entries).extracting(e -> e.kind() + " " + e.status().text())
                .containsExactly("sent delivered to maildir", "sent delivered to maildir");
        Path newDir = home.resolve("var/mail/" + user + "/new");
        try (Stream<Path> s = Files.list(newDir)) {
            Path msg = s.findFirst().orElseThrow();
            assertThat(Files.readString(msg)).endsWith("Subject: hello\n\nfirst message\n")
                    .contains("X-Original-To: postmaster@localhost\nDelivered-To: " + user + "@localhost.localdomain\n");
        }
    }
}
