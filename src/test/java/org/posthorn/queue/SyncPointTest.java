package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncPointTest {
    @TempDir
    Path tmp;

    @Test
    void filesArrivingDuringASyncShareTheNextOneAndNobodyReturnsEarly() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        AtomicInteger forcedFiles = new AtomicInteger();
        SyncPoint point = new SyncPoint((roots, channels, dirs) -> {
            batchSizes.add(channels.size());
            if (batchSizes.size() == 1) {
                firstStarted.countDown();
                await(releaseFirst);
            }
            forcedFiles.addAndGet(channels.size());
        });
        try (FileChannel ch = open("f")) {
            AtomicInteger returnedBeforeForced = new AtomicInteger();
            Thread first = Thread.ofVirtual().start(() -> commit(point, ch, 1, forcedFiles, returnedBeforeForced));
            assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
            List<Thread> rest = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int need = 11; // they can only be done once the second batch is forced too
                rest.add(Thread.ofVirtual().start(() -> commit(point, ch, need, forcedFiles, returnedBeforeForced)));
            }
            Thread.sleep(300); // the ten queue up while the first sync runs
            assertThat(first.isAlive()).isTrue();
            releaseFirst.countDown();
            first.join(5000);
            for (Thread t : rest) t.join(5000);
            assertThat(returnedBeforeForced).hasValue(0);
            assertThat(batchSizes).containsExactly(1, 10);
            assertThat(point.batches).hasValue(2);
            assertThat(point.files).hasValue(11);
        }
    }

    @Test
    void aLoneFileIsForcedByItsOwnThread() throws Exception {
        List<String> forcedBy = new CopyOnWriteArrayList<>();
        SyncPoint point = new SyncPoint((roots, channels, dirs) -> forcedBy.add(Thread.currentThread().getName()));
        try (FileChannel ch = open("f")) {
            Thread t = Thread.ofVirtual().name("session").start(() -> commit(point, ch, 0, new AtomicInteger(), new AtomicInteger()));
            t.join(5000);
        }
        assertThat(forcedBy).containsExactly("session");
    }

    @Test
    void aFailedSyncFailsEveryWaiterOfItsBatchOnly() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        SyncPoint point = new SyncPoint((roots, channels, dirs) -> {
            if (calls.incrementAndGet() == 1) throw new IOException("EIO");
        });
        try (FileChannel ch = open("f")) {
            assertThatThrownBy(() -> point.commit(ch, tmp, List.of(tmp))).hasMessageContaining("EIO");
            point.commit(ch, tmp, List.of(tmp));
        }
        assertThat(calls).hasValue(2);
    }

    @Test
    void realModesForceWithoutError() throws Exception {
        try (FileChannel ch = open("g")) {
            for (SyncPoint.Mode mode : SyncPoint.Mode.values()) new SyncPoint(mode).commit(ch, tmp, List.of(tmp));
        }
        assertThat(FileSystemSync.available()).as("syncfs on Linux").isTrue();
        FileSystemSync.syncfs(tmp);
        assertThatThrownBy(() -> FileSystemSync.syncfs(tmp.resolve("missing"))).hasMessageContaining("missing");
        assertThat(SyncPoint.mode("SyncFS")).isEqualTo(SyncPoint.Mode.SYNCFS);
        assertThat(SyncPoint.mode("bogus")).isEqualTo(SyncPoint.Mode.AUTO);
    }

    @Test
    void aLoneFileIsForcedBySyncfsOnlyWhenNoOtherQueueFileIsBeingWritten() {
        assertThat(SyncPoint.syncfs(SyncPoint.Mode.AUTO, 1, false)).isFalse();
        assertThat(SyncPoint.syncfs(SyncPoint.Mode.AUTO, 1, true)).isTrue();
        assertThat(SyncPoint.syncfs(SyncPoint.Mode.AUTO, 2, false)).isTrue();
        assertThat(SyncPoint.syncfs(SyncPoint.Mode.FSYNC, 3, true)).isFalse();
        assertThat(SyncPoint.syncfs(SyncPoint.Mode.SYNCFS, 1, false)).isTrue();
    }

    @Test
    void quietMeansNoOtherQueueFileWrittenForASecond() {
        SyncPoint.bind(); // as the master's start does
        SyncPoint point = new SyncPoint(SyncPoint.Mode.AUTO);
        long t = System.nanoTime();
        assertThat(point.quiet(t)).as("nothing written yet").isTrue();
        point.started();
        assertThat(point.quiet(t)).as("only the committing file").isTrue();
        point.started();
        assertThat(point.quiet(t)).as("another file being written").isFalse();
        point.ended();
        assertThat(point.quiet(t + 500_000_000L)).as("half a second after a busy spell").isFalse();
        assertThat(point.quiet(t + 1_000_000_000L)).as("a second after it").isTrue();
        point.ended();
    }

    @Test
    void queueFilesCountAsBeingWrittenFromCreationUntilFinishedOrRemoved() throws IOException {
        QueueDirectory dir = QueueDirectory.of(tmp.resolve("spool"));
        dir.check();
        int before = SyncPoint.SHARED.writing();
        QueueFileWriter removed = QueueFileWriter.create(dir, QueueName.INCOMING, 2048);
        QueueFileWriter finished = QueueFileWriter.create(dir, QueueName.INCOMING, 2048);
        assertThat(SyncPoint.SHARED.writing()).isEqualTo(before + 2);
        removed.close();
        removed.close();
        assertThat(SyncPoint.SHARED.writing()).isEqualTo(before + 1);
        finished.envelopeStart(java.time.Instant.now(), "local");
        finished.sender("a@example.org");
        finished.recipient(QueueFileWriter.Rcpt.of("b@example.org"));
        finished.beginContent();
        finished.copyContent(new java.io.ByteArrayInputStream("Subject: x\r\n\r\nbody\r\n".getBytes()));
        finished.endContent();
        finished.finish();
        finished.close();
        assertThat(SyncPoint.SHARED.writing()).isEqualTo(before);
    }

    private FileChannel open(String name) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, "x");
        return FileChannel.open(p, StandardOpenOption.WRITE);
    }

    private static void commit(SyncPoint point, FileChannel ch, int need, AtomicInteger forced, AtomicInteger early) {
        try {
            point.commit(ch, Path.of("/"), List.of());
            if (forced.get() < need) early.incrementAndGet();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
