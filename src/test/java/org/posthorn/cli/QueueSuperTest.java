package org.posthorn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileLock;
import org.posthorn.queue.QueueId;
import org.posthorn.queue.QueueName;

/** postsuper's repair logic (-s, -S, -p) and single-message operations on hand-made queue layouts. */
class QueueSuperTest {
    @TempDir
    Path dir;
    private final List<String> logged = new ArrayList<>();

    @BeforeEach
    void captureLog() {
        Log.clearSinks();
        Log.addSink((severity, tag, pid, text) -> {
            synchronized (logged) {
                logged.add(text);
            }
        });
    }

    @AfterEach
    void releaseLog() {
        Log.clearSinks();
    }

    private QueueDirectory queue(boolean longIds, int depth) throws IOException {
        QueueDirectory q = new QueueDirectory(dir, List.of("deferred", "defer"), depth, longIds,
                QueueDirectory.Ownership.SINGLE_USER, "postfix", "postdrop", Clock.systemUTC());
        q.check();
        return q;
    }

    private QueueSuper work(QueueDirectory q) {
        return new QueueSuper(q, Log.of("postsuper"), false);
    }

    /** A finished message file (mode 0700) with some content. */
    private static Path message(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "queue file " + file.getFileName());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private static long inode(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    /** A short ID that matches the file's inode, made after the file was written under a scratch name. */
    private static String rightShortId(Path file) throws IOException {
        return QueueId.shortForm(0x1C817, inode(file));
    }

    /** A finished message file in its right place in a queue, named after its inode; returns its ID. */
    private static String placed(QueueDirectory q, QueueName queue) throws IOException {
        Path scratch = message(q.dir(queue).resolve("scratch"));
        String id = rightShortId(scratch);
        Files.createDirectories(q.directoryOf(queue, id));
        Files.move(scratch, q.path(queue, id));
        return id;
    }

    @Test
    void misplacedFileMovesIntoItsHashSubdirectory() throws IOException {
        QueueDirectory q = queue(false, 1);
        Path scratch = message(q.dir(QueueName.DEFERRED).resolve("scratch"));
        String id = rightShortId(scratch);
        Path top = q.dir(QueueName.DEFERRED).resolve(id);
        Files.move(scratch, top);

        QueueSuper w = work(q);
        w.structure(QueueSuper.DEFAULT_QUEUES, true, false, false);

        assertThat(top).doesNotExist();
        assertThat(q.path(QueueName.DEFERRED, id)).exists();
        assertThat(q.path(QueueName.DEFERRED, id).getParent().getFileName()).hasToString("1");
        assertThat(w.namesChanged()).isFalse();
        assertThat(logged).isEmpty();
    }

    @Test
    void lowerHashDepthPullsFilesUpAndRemovesTheSurplusLevel() throws IOException {
        QueueDirectory deep = queue(false, 2);
        Path scratch = message(deep.dir(QueueName.DEFERRED).resolve("scratch"));
        String id = rightShortId(scratch);
        Path twoLevels = deep.path(QueueName.DEFERRED, id);
        Files.createDirectories(twoLevels.getParent());
        Files.move(scratch, twoLevels);
        assertThat(twoLevels.getParent().getParent().getFileName()).hasToString("1");

        QueueDirectory shallow = queue(false, 1);
        work(shallow).structure(QueueSuper.DEFAULT_QUEUES, true, false, false);

        assertThat(shallow.path(QueueName.DEFERRED, id)).exists();
        assertThat(twoLevels.getParent()).doesNotExist(); // deferred/1/C is gone
    }

    @Test
    void shortIdNotMatchingItsInodeIsRenamedWithItsLogs() throws IOException {
        QueueDirectory q = queue(false, 1);
        Path file = message(q.dir(QueueName.HOLD).resolve("0123456789A"));
        Path deferLog = q.path(QueueName.DEFER, "0123456789A");
        Files.createDirectories(deferLog.getParent());
        Files.writeString(deferLog, "reason");
        String expected = "01234" + Long.toHexString(inode(file)).toUpperCase();

        QueueSuper w = work(q);
        w.structure(QueueSuper.DEFAULT_QUEUES, true, false, false);

        assertThat(file).doesNotExist();
        assertThat(q.path(QueueName.HOLD, expected)).hasContent("queue file 0123456789A");
        assertThat(deferLog).doesNotExist();
        assertThat(q.path(QueueName.DEFER, expected)).hasContent("reason");
        assertThat(w.inodeFixed()).isEqualTo(1);
        assertThat(w.namesChanged()).isTrue();
        try (var s = Files.walk(dir)) {
            assertThat(s.filter(p -> p.toString().endsWith(QueueSuper.FIX_SUFFIX))).isEmpty();
        }
    }

    @Test
    void longIdsBecomeShortWhenLongIdsAreOffAndAreLeftAloneWhenOn() throws IOException {
        QueueDirectory longQ = queue(true, 1);
        Path scratch = message(longQ.dir(QueueName.INCOMING).resolve("scratch"));
        long inodeA = inode(scratch);
        String longId = QueueId.longForm(1795808173L, 116301, inodeA);
        Path file = longQ.path(QueueName.INCOMING, longId);
        Files.move(scratch, file);
        // a long ID whose inode part is wrong: -s leaves it (long IDs never repeat), -S fixes it
        Path other = message(longQ.dir(QueueName.INCOMING).resolve("scratch2"));
        long inodeB = inode(other);
        String wrongLong = QueueId.longForm(1795808174L, 5, inodeB + 7);
        Path otherFile = longQ.path(QueueName.INCOMING, wrongLong);
        Files.move(other, otherFile);

        work(longQ).structure(List.of(QueueName.INCOMING), true, false, false);
        assertThat(file).exists();
        assertThat(otherFile).exists();

        work(longQ).structure(List.of(QueueName.INCOMING), true, true, false);
        String fixedLong = QueueId.longForm(1795808174L, 5, inodeB);
        assertThat(file).exists();
        assertThat(otherFile).doesNotExist();
        assertThat(longQ.path(QueueName.INCOMING, fixedLong)).exists();

        // enable_long_queue_ids = no: both become short IDs (hex microseconds, hex inode)
        QueueDirectory shortQ = queue(false, 1);
        QueueSuper w = work(shortQ);
        w.structure(List.of(QueueName.INCOMING), true, false, false);
        assertThat(shortQ.path(QueueName.INCOMING, QueueId.shortForm(116301, inodeA))).exists();
        assertThat(shortQ.path(QueueName.INCOMING, QueueId.shortForm(5, inodeB))).exists();
        assertThat(w.inodeFixed()).isEqualTo(2);
    }

    @Test
    void newIdKeepsTheTimeAndTakesTheInode() {
        assertThat(QueueSuper.newId(QueueId.parse("1C81720E713").orElseThrow(), 0xABC, false)).isEqualTo("1C817ABC");
        String longId = QueueId.longForm(1795808173L, 116301, 99);
        assertThat(QueueSuper.newId(QueueId.parse(longId).orElseThrow(), 100, true))
                .isEqualTo(QueueId.longForm(1795808173L, 116301, 100));
        assertThat(QueueSuper.newId(QueueId.parse(longId).orElseThrow(), 100, false))
                .isEqualTo(QueueId.shortForm(116301, 100));
    }

    @Test
    void bogusNamesAlienDirectoriesAndLeftoverFixNames() throws IOException {
        QueueDirectory q = queue(false, 1);
        Path bogus = message(q.dir(QueueName.INCOMING).resolve("12345.678"));
        Path alien = q.dir(QueueName.INCOMING).resolve("subdir");
        Files.createDirectories(alien);
        Path goodFix = message(q.dir(QueueName.HOLD).resolve("scratch"));
        String goodId = rightShortId(goodFix);
        Files.move(goodFix, q.dir(QueueName.HOLD).resolve(goodId + "#FIX"));
        Path badFix = message(q.dir(QueueName.HOLD).resolve("ABCDE1#FIX"));

        QueueSuper w = work(q);
        w.structure(QueueSuper.DEFAULT_QUEUES, true, false, false);

        assertThat(bogus).exists();
        assertThat(alien).doesNotExist();
        assertThat(q.path(QueueName.HOLD, goodId)).exists();
        assertThat(badFix).exists();
        assertThat(w.inodeFixed()).isEqualTo(1);
        assertThat(logged).contains("warning: bogus file name: incoming/12345.678",
                "warning: name/inode mismatch: hold/ABCDE1#FIX");
    }

    @Test
    void purgeRemovesOnlyUnfinishedFilesOlderThanADay() throws IOException {
        QueueDirectory q = queue(false, 1);
        String id = placed(q, QueueName.INCOMING);
        Path stale = q.path(QueueName.INCOMING, id);
        Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rw-------"));
        Path finished = q.path(QueueName.ACTIVE, placed(q, QueueName.ACTIVE));
        Path log = q.path(QueueName.DEFER, id);
        Files.createDirectories(log.getParent());
        Files.writeString(log, "old reason"); // a log is never purged for its age

        // today: nothing is old enough
        new QueueSuper(q, Log.of("postsuper"), false).structure(QueueSuper.DEFAULT_QUEUES, false, false, true);
        assertThat(stale).exists();

        Clock twoDaysLater = Clock.fixed(Instant.now().plus(Duration.ofDays(2)), ZoneOffset.UTC);
        new QueueSuper(q, Log.of("postsuper"), false, twoDaysLater).structure(QueueSuper.DEFAULT_QUEUES, false, false, true);
        assertThat(stale).doesNotExist();
        assertThat(finished).exists();
        assertThat(log).exists();
    }

    @Test
    void deleteRemovesTheMessageAndItsLogsAndHoldReleaseExpireMoveAndFlag() throws IOException {
        QueueDirectory q = queue(false, 1);
        String ida = placed(q, QueueName.DEFERRED);
        for (QueueName l : QueueSuper.LOG_QUEUES) {
            Files.createDirectories(q.directoryOf(l, ida));
            Files.writeString(q.path(l, ida), "log");
        }
        QueueSuper w = work(q);
        w.one(QueueSuper.Operation.HOLD, QueueSuper.Operation.HOLD.defaultQueues(), ida);
        assertThat(q.path(QueueName.HOLD, ida)).exists();
        w.one(QueueSuper.Operation.EXPIRE, QueueSuper.Operation.EXPIRE.defaultQueues(), ida);
        w.one(QueueSuper.Operation.EXPIRE, QueueSuper.Operation.EXPIRE.defaultQueues(), ida); // already: not counted
        assertThat(Files.getPosixFilePermissions(q.path(QueueName.HOLD, ida))).isEqualTo(PosixFilePermissions.fromString("rwx--x---"));
        w.one(QueueSuper.Operation.EXPIRE_RELEASE, QueueSuper.Operation.EXPIRE_RELEASE.defaultQueues(), ida);
        assertThat(q.path(QueueName.DEFERRED, ida)).exists();
        w.one(QueueSuper.Operation.DELETE, QueueSuper.Operation.DELETE.defaultQueues(), ida);
        assertThat(q.path(QueueName.DEFERRED, ida)).doesNotExist();
        for (QueueName l : QueueSuper.LOG_QUEUES) assertThat(q.path(l, ida)).doesNotExist();
        w.one(QueueSuper.Operation.DELETE, QueueSuper.Operation.DELETE.defaultQueues(), "bad.id");
        assertThat(w.counts()).containsEntry("held", 1).containsEntry("expired", 1).containsEntry("released", 1)
                .containsEntry("deleted", 1);
        assertThat(logged).containsExactly(ida + ": placed on hold", ida + ": expired", ida + ": released from hold",
                ida + ": removed", "warning: invalid mail queue id: bad.id");
    }

    @Test
    void anActiveFileMovesOnlyAfterTheDeliveryLockIsReleased() throws Exception {
        QueueDirectory q = queue(false, 1);
        String id = placed(q, QueueName.ACTIVE);
        Path active = q.path(QueueName.ACTIVE, id);
        QueueFileLock delivery = QueueFileLock.open(active);
        assertThat(delivery.tryShared()).isTrue();

        CompletableFuture<Void> hold = CompletableFuture.runAsync(() -> {
            try {
                work(q).one(QueueSuper.Operation.HOLD, QueueSuper.Operation.HOLD.defaultQueues(), id);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(300);
        assertThat(hold).isNotDone();
        assertThat(active).exists();
        delivery.close();
        hold.get(5, TimeUnit.SECONDS);
        assertThat(active).doesNotExist();
        assertThat(q.path(QueueName.HOLD, id)).exists();
    }

    @Test
    void reportCountsEveryRequestedOperationInPostfixOrder() {
        QueueSuper w = new QueueSuper(QueueDirectory.of(dir), Log.of("postsuper"), false);
        w.report(Set.of(QueueSuper.Operation.HOLD, QueueSuper.Operation.EXPIRE_RELEASE, QueueSuper.Operation.DELETE,
                QueueSuper.Operation.REQUEUE));
        assertThat(logged).containsExactly("Requeued: 0 messages", "Deleted: 0 messages", "Force-expired: 0 messages",
                "Placed on hold: 0 messages", "Released from hold: 0 messages");
        assertThat(QueueSuper.messages(1)).isEqualTo("1 message");
    }
}
