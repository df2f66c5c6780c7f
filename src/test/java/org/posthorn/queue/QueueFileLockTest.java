package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueFileLockTest {
    @TempDir
    Path dir;

    @Test
    void aLockOpenedWithTheKeyQmgrSawHoldsOnlyThatFile() throws Exception {
        Path file = Files.writeString(dir.resolve("A1B2C3D4E5"), "message");
        Object seen = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        try (QueueFileLock lock = QueueFileLock.open(file, seen)) {
            assertThat(lock.tryShared()).isTrue();
            assertThat(lock.stillAt(file)).isTrue();
        }
        // another file took the name after qmgr looked: the lock must not vouch for it
        Path other = Files.writeString(dir.resolve("other"), "another message");
        Files.move(other, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (QueueFileLock lock = QueueFileLock.open(file, seen)) {
            assertThat(lock.tryShared()).isTrue();
            assertThat(lock.stillAt(file)).isFalse();
        }
        try (QueueFileLock lock = QueueFileLock.open(file)) {
            assertThat(lock.stillAt(file)).isTrue();
        }
    }
}
