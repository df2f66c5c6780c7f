package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.smtpd.Dialogue;
import org.posthorn.smtpd.RecordingCleanup;
import org.posthorn.smtpd.TestServer;

/**
 * Plays every scripted dialogue under src/test/resources/org/posthorn/smtpd/dialogues
 * against our smtpd on a loopback port. The expected replies in those files were taken
 * from Postfix 3.7.11 with the same main.cf (see SmtpdDifferentialTest, which re-checks
 * them against a live Postfix when one can be started).
 */
@Tag("interop")
class SmtpdDialogueTest {
    @TempDir
    static Path spool;
    private static final List<TestServer> SERVERS = new ArrayList<>();

    static List<Dialogue> dialogues() throws IOException, URISyntaxException {
        Path dir = Path.of(SmtpdDialogueTest.class.getResource("/org/posthorn/smtpd/dialogues").toURI());
        List<Dialogue> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) out.add(Dialogue.load(f));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> dialoguesGiveThePostfixReplies() throws Exception {
        return dialogues().stream().map(d -> DynamicTest.dynamicTest(d.name(), () -> {
            TestServer server = new TestServer(Dialogue.mainCf(d.profile()), new RecordingCleanup(spool, false),
                    d.pregreet() ? 300 : 0);
            SERVERS.add(server);
            List<List<String>> got = d.play("127.0.0.1", server.port());
            assertThat(got).as(() -> d.firstDifference(d.expected(), got)).isEqualTo(d.expected());
        }));
    }

    @AfterAll
    static void stop() throws IOException {
        for (TestServer s : SERVERS) s.close();
    }
}
