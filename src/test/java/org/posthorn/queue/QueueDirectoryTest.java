package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;

class QueueDirectoryTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private QueueDirectory dir(List<String> hashed, int depth, boolean longIds) {
        return new QueueDirectory(tmp.resolve("spool"), hashed, depth, longIds, QueueDirectory.Ownership.SINGLE_USER,
                "postfix", "postdrop", Clock.systemUTC());
    }

    @Test
    void checkCreatesTheLayoutWithItsModes() throws IOException {
        QueueDirectory q = dir(List.of("deferred", "defer"), 1, false);
        QueueDirectory.CheckReport report = q.check();
        assertThat(report.ok()).isTrue();
        assertThat(report.fixed()).hasSize(QueueName.values().length + 1);
        for (QueueName n : QueueName.values()) assertThat(q.dir(n)).isDirectory();
        assertThat(mode(q.root())).isEqualTo("rwxr-xr-x");
        assertThat(mode(q.dir(QueueName.INCOMING))).isEqualTo("rwx------");
        assertThat(mode(q.dir(QueueName.MAILDROP))).isEqualTo("rwx------");
        assertThat(mode(q.dir(QueueName.PUBLIC))).isEqualTo("rwx------");
        assertThat(mode(q.dir(QueueName.PID))).isEqualTo("rwxr-xr-x");
        // a second check finds nothing to do
        assertThat(q.check()).isEqualTo(new QueueDirectory.CheckReport(List.of(), List.of()));
    }

    @Test
    void systemOwnershipUsesPostfixsModes() {
        QueueDirectory q = new QueueDirectory(tmp, List.of(), 1, false, QueueDirectory.Ownership.SYSTEM, "postfix", "postdrop", Clock.systemUTC());
        assertThat(q.mode(QueueName.MAILDROP)).isEqualTo(0730);
        assertThat(q.mode(QueueName.PUBLIC)).isEqualTo(0710);
        assertThat(q.mode(QueueName.PID)).isEqualTo(0755);
        assertThat(q.mode(QueueName.ACTIVE)).isEqualTo(0700);
    }

    @Test
    void checkReportsWrongModesAndSetPermissionsRepairsThem() throws IOException {
        QueueDirectory q = dir(List.of(), 1, false);
        q.check();
        Files.setPosixFilePermissions(q.dir(QueueName.ACTIVE), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.delete(q.dir(QueueName.TRACE));
        QueueDirectory.CheckReport report = q.check();
        assertThat(report.problems()).containsExactly(q.dir(QueueName.ACTIVE) + " has mode 0777, expected 0700");
        assertThat(report.fixed()).containsExactly("created " + q.dir(QueueName.TRACE) + " with mode 0700");
        assertThat(mode(q.dir(QueueName.ACTIVE))).isEqualTo("rwxrwxrwx");
        QueueDirectory.CheckReport repaired = q.setPermissions();
        assertThat(repaired.ok()).isTrue();
        assertThat(mode(q.dir(QueueName.ACTIVE))).isEqualTo("rwx------");
        Files.delete(q.dir(QueueName.PID));
        Files.writeString(q.dir(QueueName.PID), "not a directory");
        assertThat(q.check().problems()).containsExactly(q.dir(QueueName.PID) + " is not a directory");
    }

    @Test
    void pathsAreHashedPerHashQueueNamesAndDepth() {
        QueueDirectory q = dir(List.of("deferred", "defer"), 1, false);
        Path root = q.root();
        assertThat(q.path(QueueName.DEFERRED, "1C81720E713")).isEqualTo(root.resolve("deferred/1/1C81720E713"));
        assertThat(q.path(QueueName.DEFER, "1C81720E713")).isEqualTo(root.resolve("defer/1/1C81720E713"));
        assertThat(q.path(QueueName.HOLD, "2129620E95B")).isEqualTo(root.resolve("hold/2129620E95B"));
        QueueDirectory deep = dir(List.of("Incoming", "deferred"), 2, false);
        assertThat(deep.path(QueueName.INCOMING, "1C81720E713")).isEqualTo(root.resolve("incoming/1/C/1C81720E713"));
        // a long ID hashes by its microseconds as five hex digits: 116301 = 0x1C64D
        String longId = QueueId.longForm(1795808173L, 116301, 0x20E713);
        assertThat(deep.path(QueueName.DEFERRED, longId)).isEqualTo(root.resolve("deferred/1/C/" + longId));
        // a name shorter than the depth gets "_" levels (dir_forest)
        assertThat(dir(List.of("flush"), 3, false).path(QueueName.FLUSH, "ab")).isEqualTo(root.resolve("flush/a/b/_/ab"));
        assertThatThrownBy(() -> q.path(QueueName.HOLD, "../x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configSuppliesTheParameters() {
        Config c = Config.of(tmp, Map.of("queue_directory", tmp.resolve("q").toString(), "hash_queue_names", "hold, incoming",
                "hash_queue_depth", "2", "enable_long_queue_ids", "yes"));
        QueueDirectory q = QueueDirectory.of(c);
        assertThat(q.root()).isEqualTo(tmp.resolve("q"));
        assertThat(q.isHashed(QueueName.HOLD)).isTrue();
        assertThat(q.isHashed(QueueName.DEFERRED)).isFalse();
        assertThat(q.longQueueIds()).isTrue();
        assertThat(QueueDirectory.of(Config.of(tmp, Map.of())).isHashed(QueueName.DEFERRED)).isTrue();
    }

    @Test
    void createdIdsAreUniqueCarryTheInodeAndHashDirsAppearOnDemand() throws Exception {
        for (boolean longIds : new boolean[] {false, true}) {
            QueueDirectory q = new QueueDirectory(tmp.resolve("spool" + longIds), List.of("incoming"), 2, longIds,
                    QueueDirectory.Ownership.SINGLE_USER, "postfix", "postdrop", Clock.systemUTC());
            q.check();
            Set<String> ids = Collections.synchronizedSet(new HashSet<>());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                jobs.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        QueueDirectory.NewFile f = q.create(QueueName.INCOMING);
                        f.channel().close();
                        assertThat(ids.add(f.queueId())).as("duplicate %s", f.queueId()).isTrue();
                        QueueId parsed = QueueId.parse(f.queueId()).orElseThrow();
                        assertThat(parsed.longForm()).isEqualTo(longIds);
                        long inode = ((Number) Files.getAttribute(f.path(), "unix:ino")).longValue();
                        assertThat(parsed.inode()).isEqualTo(inode);
                        assertThat(f.path()).isEqualTo(q.path(QueueName.INCOMING, f.queueId()));
                        assertThat(mode(f.path())).isEqualTo("rw-------");
                    }
                    return null;
                }));
            }
            for (Future<?> j : jobs) j.get();
            pool.shutdown();
            assertThat(ids).hasSize(1000);
            assertThat(q.list(QueueName.INCOMING)).hasSize(1000);
            Path someHashDir = q.path(QueueName.INCOMING, ids.iterator().next()).getParent();
            assertThat(mode(someHashDir)).isEqualTo("rwx------");
            assertThat(mode(someHashDir.getParent())).isEqualTo("rwx------");
        }
    }

    @Test
    void listFindsRegularFilesInEveryHashDirectoryAndNothingElse() throws IOException {
        QueueDirectory q = dir(List.of("deferred"), 1, false);
        q.check();
        Path deferred = q.dir(QueueName.DEFERRED);
        Path top = Files.writeString(deferred.resolve("ABCDE1234"), "x");
        Path hashed = Files.writeString(Files.createDirectories(deferred.resolve("F")).resolve("F0000123"), "x");
        Path deeper = Files.writeString(Files.createDirectories(deferred.resolve("A").resolve("B")).resolve("AB0001"), "x");
        Path single = Files.writeString(deferred.resolve("C"), "x"); // a one-letter file is a queue ID too
        Files.writeString(deferred.resolve("123456.789"), "embryo");
        Files.createSymbolicLink(deferred.resolve("ABCDE5678"), top);
        Files.writeString(Files.createDirectories(deferred.resolve("ABCDE9999")).resolve("ABCDE0001"), "x");
        assertThat(q.list(QueueName.DEFERRED)).containsExactly(deeper, top, single, hashed);
    }

    @Test
    void renameMovesBetweenQueuesAndListSkipsEmbryos() throws IOException {
        QueueDirectory q = dir(List.of("deferred"), 1, false);
        q.check();
        QueueDirectory.NewFile f = q.create(QueueName.INCOMING);
        f.channel().close();
        Files.writeString(q.dir(QueueName.INCOMING).resolve("123456.789"), "embryo");
        assertThat(q.list(QueueName.INCOMING)).containsExactly(f.path());
        Path moved = q.rename(f.queueId(), QueueName.INCOMING, QueueName.DEFERRED);
        assertThat(moved).isEqualTo(q.path(QueueName.DEFERRED, f.queueId())).exists();
        assertThat(q.list(QueueName.DEFERRED)).containsExactly(moved);
        assertThat(q.find(f.queueId(), QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED)).contains(moved);
        assertThatThrownBy(() -> q.rename(f.queueId(), QueueName.INCOMING, QueueName.ACTIVE)).isInstanceOf(NoSuchFileException.class);
        assertThat(q.remove(QueueName.DEFERRED, f.queueId())).isTrue();
        assertThat(q.remove(QueueName.DEFERRED, f.queueId())).isFalse();
    }
}
