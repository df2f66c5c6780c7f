package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpareFilesTest {
    @TempDir
    Path tmp;

    private QueueDirectory dir(String name, List<String> hashed, boolean longIds) throws IOException {
        QueueDirectory q = new QueueDirectory(tmp.resolve(name), hashed, 2, longIds, QueueDirectory.Ownership.SINGLE_USER,
                "postfix", "postdrop", Clock.systemUTC());
        q.check();
        SpareFiles.install(q.root(), 0); // reused at once; the wait has a test of its own
        return q;
    }

    private static long inode(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** A message as cleanup and qmgr leave it: written, marked complete (0700), moved to active/. */
    private static String delivered(QueueDirectory q) throws IOException {
        QueueDirectory.NewFile f = q.create(QueueName.INCOMING);
        f.channel().write(ByteBuffer.wrap("a whole message".getBytes(StandardCharsets.US_ASCII)));
        f.channel().close();
        Files.setPosixFilePermissions(f.path(), PosixFilePermissions.fromString("rwx------"));
        q.rename(f.queueId(), QueueName.INCOMING, QueueName.ACTIVE);
        return f.queueId();
    }

    @Test
    void aRetiredFileWaitsEmptyAndIncompleteAndBecomesTheNextMessagesFile() throws IOException {
        for (boolean longIds : new boolean[] {false, true}) {
            QueueDirectory q = dir("spool" + longIds, List.of("incoming", "deferred"), longIds);
            String id = delivered(q);
            long ino = inode(q.path(QueueName.ACTIVE, id));

            assertThat(q.retire(QueueName.ACTIVE, id)).isTrue();
            assertThat(q.path(QueueName.ACTIVE, id)).doesNotExist();
            Path spare = q.root().resolve(SpareFiles.DIRECTORY).resolve(Long.toString(ino));
            assertThat(spare).isRegularFile().isEmptyFile();
            assertThat(mode(spare)).isEqualTo("rw-------");
            assertThat(mode(spare.getParent())).isEqualTo("rwx------");

            QueueDirectory.NewFile next = q.create(QueueName.INCOMING);
            assertThat(next.queueId()).isNotEqualTo(id);
            QueueId parsed = QueueId.parse(next.queueId()).orElseThrow();
            assertThat(parsed.inode()).isEqualTo(ino);
            assertThat(parsed.longForm()).isEqualTo(longIds);
            assertThat(next.path()).isEqualTo(q.path(QueueName.INCOMING, next.queueId())).isEmptyFile();
            assertThat(mode(next.path())).isEqualTo("rw-------");
            assertThat(spare).doesNotExist();
            next.channel().write(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)));
            next.channel().close();
            assertThat(Files.size(next.path())).isEqualTo(1);
            // the pool is empty again: the next file is a new one
            QueueDirectory.NewFile fresh = q.create(QueueName.INCOMING);
            fresh.channel().close();
            assertThat(QueueId.parse(fresh.queueId()).orElseThrow().inode()).isNotEqualTo(ino);
        }
    }

    @Test
    void aSpareWaitsBeforeANewMessageMayTakeIt() throws Exception {
        QueueDirectory q = dir("spool", List.of("deferred"), false);
        SpareFiles.install(q.root(), TimeUnit.MILLISECONDS.toNanos(300));
        String id = delivered(q);
        long ino = inode(q.path(QueueName.ACTIVE, id));
        q.retire(QueueName.ACTIVE, id);
        QueueDirectory.NewFile early = q.create(QueueName.INCOMING);
        early.channel().close();
        assertThat(QueueId.parse(early.queueId()).orElseThrow().inode()).isNotEqualTo(ino);
        Thread.sleep(400);
        QueueDirectory.NewFile later = q.create(QueueName.INCOMING);
        later.channel().close();
        assertThat(QueueId.parse(later.queueId()).orElseThrow().inode()).isEqualTo(ino);
    }

    @Test
    void onlyIncomingTakesSparesAndAMissingFileIsNotRetired() throws IOException {
        QueueDirectory q = dir("spool", List.of("deferred"), false);
        String id = delivered(q);
        long ino = inode(q.path(QueueName.ACTIVE, id));
        assertThat(q.retire(QueueName.ACTIVE, id)).isTrue();
        assertThat(q.retire(QueueName.ACTIVE, id)).isFalse();

        QueueDirectory.NewFile drop = q.create(QueueName.MAILDROP);
        drop.channel().close();
        assertThat(inode(drop.path())).isNotEqualTo(ino);
        assertThat(SpareFiles.of(q.root()).size()).isEqualTo(1);
    }

    @Test
    void thePoolIsBoundedAndFilesBeyondItAreRemoved() throws IOException {
        QueueDirectory q = dir("spool", List.of("deferred"), false);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SpareFiles.CAPACITY + 3; i++) ids.add(delivered(q));
        for (String id : ids) assertThat(q.retire(QueueName.ACTIVE, id)).isTrue();
        assertThat(q.list(QueueName.ACTIVE)).isEmpty();
        try (var files = Files.list(q.root().resolve(SpareFiles.DIRECTORY))) {
            assertThat(files.count()).isEqualTo(SpareFiles.CAPACITY);
        }
        assertThat(SpareFiles.of(q.root()).size()).isEqualTo(SpareFiles.CAPACITY);
    }

    @Test
    void aSpareThatVanishedIsSkippedAndOneLeftFullIsEmptied() throws IOException {
        QueueDirectory q = dir("spool", List.of("deferred"), false);
        String first = delivered(q);
        String second = delivered(q);
        long firstIno = inode(q.path(QueueName.ACTIVE, first));
        long secondIno = inode(q.path(QueueName.ACTIVE, second));
        q.retire(QueueName.ACTIVE, first);
        q.retire(QueueName.ACTIVE, second);
        Path recycle = q.root().resolve(SpareFiles.DIRECTORY);
        Files.delete(recycle.resolve(Long.toString(firstIno)));
        Files.writeString(recycle.resolve(Long.toString(secondIno)), "left by a crash");

        QueueDirectory.NewFile f = q.create(QueueName.INCOMING);
        f.channel().close();
        assertThat(QueueId.parse(f.queueId()).orElseThrow().inode()).isEqualTo(secondIno);
        assertThat(f.path()).isEmptyFile();
    }

    @Test
    void aRemovedRecycleDirectoryMeansTheFileIsUnlinkedAndTheDirectoryMadeAgain() throws IOException {
        QueueDirectory q = dir("spool", List.of("deferred"), false);
        q.retire(QueueName.ACTIVE, delivered(q));
        Path recycle = q.root().resolve(SpareFiles.DIRECTORY);
        try (var files = Files.list(recycle)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(recycle);
        String second = delivered(q);
        assertThat(q.retire(QueueName.ACTIVE, second)).isTrue();
        assertThat(q.path(QueueName.ACTIVE, second)).doesNotExist();
        assertThat(recycle).doesNotExist();
        String third = delivered(q);
        long ino = inode(q.path(QueueName.ACTIVE, third));
        assertThat(q.retire(QueueName.ACTIVE, third)).isTrue();
        assertThat(recycle.resolve(Long.toString(ino))).isEmptyFile();
    }

    @Test
    void clearForgetsTheSparesAndRemovesWhatRecycleHolds() throws IOException {
        QueueDirectory q = dir("spool", List.of("deferred"), false);
        q.retire(QueueName.ACTIVE, delivered(q));
        Path recycle = q.root().resolve(SpareFiles.DIRECTORY);
        Files.writeString(recycle.resolve("12345"), "a spare of a process that crashed");
        SpareFiles spares = SpareFiles.of(q.root());
        spares.clear();
        assertThat(spares.size()).isZero();
        assertThat(spares.take()).isNull();
        try (var files = Files.list(recycle)) {
            assertThat(files.count()).isZero();
        }
    }

    @Test
    void concurrentMessagesGetUniqueIdsThatCarryTheirInodes() throws Exception {
        QueueDirectory q = dir("spool", List.of("deferred"), false);
        Set<String> ids = Collections.synchronizedSet(new HashSet<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> jobs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            jobs.add(pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    String id = delivered(q);
                    assertThat(ids.add(id)).as("duplicate %s", id).isTrue();
                    assertThat(QueueId.parse(id).orElseThrow().inode()).isEqualTo(inode(q.path(QueueName.ACTIVE, id)));
                    assertThat(q.retire(QueueName.ACTIVE, id)).isTrue();
                }
                return null;
            }));
        }
        for (Future<?> j : jobs) j.get();
        pool.shutdown();
        assertThat(ids).hasSize(800);
        assertThat(q.list(QueueName.INCOMING)).isEmpty();
        assertThat(q.list(QueueName.ACTIVE)).isEmpty();
        // four files at most were ever in flight at once: the spares stayed few
        assertThat(SpareFiles.of(q.root()).size()).isLessThanOrEqualTo(4);
    }
}
