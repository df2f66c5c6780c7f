package org.posthorn.flush;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueName;

class FlushLogsTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    @TempDir
    Path spool;
    private QueueDirectory queue;
    private final List<String> triggers = new ArrayList<>();
    private FlushLogs logs;

    @BeforeEach
    void setUp() throws IOException {
        queue = QueueDirectory.of(spool);
        for (QueueName q : List.of(QueueName.FLUSH, QueueName.DEFERRED, QueueName.INCOMING)) Files.createDirectories(queue.dir(q));
        Config config = Config.of(spool, Map.of("relay_domains", "example.com, [192.0.2.1]"));
        logs = new FlushLogs(queue, FlushDomains.of(config), 12 * 3600, 7 * 86400, Clock.fixed(NOW, ZoneOffset.UTC),
                Log.of("test"), triggers::add);
    }

    private Path deferred(String id, String mode) throws IOException {
        Path p = queue.path(QueueName.DEFERRED, id);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        FileTime later = FileTime.from(NOW.plusSeconds(3600));
        Files.getFileAttributeView(p, BasicFileAttributeView.class).setTimes(later, later, null);
        return p;
    }

    @Test
    void logNamesAreThoseOfPostfix() {
        assertThat(FlushLogs.logName("Example.COM")).isEqualTo("example_com");
        assertThat(FlushLogs.logName("[192.0.2.1]")).isEqualTo("_192_0_2_1_");
        assertThat(FlushLogs.logName("a-b.example")).isEqualTo("a_b_example");
    }

    @Test
    void addOnlyForEligibleSitesAndSendMovesTheListedMailToIncoming() throws IOException {
        deferred("1A2B3C4D5E", "rwx------");
        deferred("2A2B3C4D5E", "rw-------"); // still being written: left alone
        assertThat(logs.add("Sub.Example.com", "1A2B3C4D5E")).isEqualTo(Flush.Status.OK);
        assertThat(logs.add("sub.example.com", "1A2B3C4D5E")).isEqualTo(Flush.Status.OK);
        assertThat(logs.add("sub.example.com", "2A2B3C4D5E")).isEqualTo(Flush.Status.OK);
        assertThat(logs.add("other.org", "1A2B3C4D5E")).isEqualTo(Flush.Status.DENY);
        assertThat(logs.add("example.com", "../etc")).isEqualTo(Flush.Status.BAD);
        Path log = queue.dir(QueueName.FLUSH).resolve("sub_example_com");
        assertThat(Files.readAllLines(log)).containsExactly("1A2B3C4D5E", "1A2B3C4D5E", "2A2B3C4D5E");
        assertThat(queue.dir(QueueName.FLUSH).resolve("other_org")).doesNotExist();

        assertThat(logs.sendSite("other.org")).isEqualTo(Flush.Status.DENY);
        assertThat(logs.sendSite("SUB.example.com")).isEqualTo(Flush.Status.OK);
        Path moved = queue.path(QueueName.INCOMING, "1A2B3C4D5E");
        assertThat(moved).exists();
        assertThat(Files.getLastModifiedTime(moved).toInstant()).isEqualTo(NOW);
        assertThat(queue.path(QueueName.DEFERRED, "2A2B3C4D5E")).exists();
        assertThat(Files.size(log)).isZero();
        assertThat(triggers).containsExactly("F", "I");
        // a site without a log: nothing to do, no trigger
        triggers.clear();
        assertThat(logs.sendSite("example.com")).isEqualTo(Flush.Status.OK);
        assertThat(triggers).isEmpty();
    }

    @Test
    void sendFileMarksTheFileForUnthrottling() throws IOException {
        deferred("3A2B3C4D5E", "rwx------");
        assertThat(logs.sendFile("3A2B3C4D5E")).isEqualTo(Flush.Status.OK);
        Path moved = queue.path(QueueName.INCOMING, "3A2B3C4D5E");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(moved))).isEqualTo("rwxr-----");
        assertThat(triggers).containsExactly("I");
        assertThat(logs.sendFile("no/such")).isEqualTo(Flush.Status.BAD);
        triggers.clear();
        assertThat(logs.sendFile("4A2B3C4D5E")).isEqualTo(Flush.Status.OK); // in no queue: no error, no trigger
        assertThat(triggers).isEmpty();
    }

    @Test
    void refreshSendsOldLogsAndPurgeRemovesOldEmptyOnes() throws IOException {
        deferred("5A2B3C4D5E", "rwx------");
        deferred("6A2B3C4D5E", "rwx------");
        logs.add("a.example.com", "5A2B3C4D5E");
        logs.add("b.example.com", "6A2B3C4D5E");
        Path a = queue.dir(QueueName.FLUSH).resolve("a_example_com");
        Path b = queue.dir(QueueName.FLUSH).resolve("b_example_com");
        Path empty = Files.createFile(queue.dir(QueueName.FLUSH).resolve("c_example_com"));
        Path recentEmpty = Files.createFile(queue.dir(QueueName.FLUSH).resolve("d_example_com"));
        age(a, 13 * 3600);
        age(b, 3600);
        age(empty, 8 * 86400);
        logs.refresh();
        assertThat(queue.path(QueueName.INCOMING, "5A2B3C4D5E")).exists();
        assertThat(queue.path(QueueName.DEFERRED, "6A2B3C4D5E")).exists();
        assertThat(empty).doesNotExist();
        assertThat(recentEmpty).exists();
        assertThat(triggers).containsExactly("I"); // a refresh does not revive dead destinations
        logs.purge();
        assertThat(queue.path(QueueName.INCOMING, "6A2B3C4D5E")).exists();
    }

    private static void age(Path p, long seconds) throws IOException {
        FileTime t = FileTime.from(NOW.minusSeconds(seconds));
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(t, t, null);
    }
}
