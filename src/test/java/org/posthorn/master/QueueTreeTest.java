package org.posthorn.master;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;

class QueueTreeTest {
    @TempDir
    Path dir;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void createsTheMissingTreeWithPostfixModes() throws Exception {
        Path queue = dir.resolve("spool");
        Path data = dir.resolve("data");
        Files.createDirectories(queue.resolve("incoming"));
        Files.setPosixFilePermissions(queue.resolve("incoming"), PosixFilePermissions.fromString("rwx------"));
        Config c = Config.of(dir, Map.of("data_directory", data.toString(), "mail_owner", System.getProperty("user.name")));
        List<String> warnings = new ArrayList<>();
        QueueTree.create(queue, c, warnings);
        for (String d : List.of("active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming",
                "private", "saved", "trace")) {
            assertThat(mode(queue.resolve(d))).as(d).isEqualTo("rwx------");
        }
        assertThat(mode(queue.resolve("maildrop"))).isEqualTo("rwx-wx---");
        assertThat(mode(queue.resolve("public"))).isEqualTo("rwx--x---");
        assertThat(mode(queue.resolve("pid"))).isEqualTo("rwxr-xr-x");
        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(warnings).isEmpty();
    }

    @Test
    void warnsAboutDirectoriesNotOwnedByMailOwner() throws Exception {
        Path queue = dir.resolve("spool");
        QueueTree.create(queue, Config.of(dir, Map.of()), null);
        List<String> warnings = new ArrayList<>();
        // a user that exists on every system and owns none of our files
        QueueTree.create(queue, Config.of(dir, Map.of("mail_owner", "nobody")), warnings);
        assertThat(warnings).contains("not owned by nobody: " + queue.resolve("incoming"))
                .noneMatch(w -> w.endsWith("/pid"));
    }

    @Test
    void warnsAboutWritableDirectories() throws Exception {
        Path queue = dir.resolve("spool");
        Config c = Config.of(dir, Map.of("mail_owner", System.getProperty("user.name")));
        QueueTree.create(queue, c, null);
        Files.setPosixFilePermissions(queue.resolve("hold"), PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> warnings = new ArrayList<>();
        QueueTree.create(queue, c, warnings);
        assertThat(warnings).containsExactly("group or other writable: " + queue.resolve("hold"));
    }
}
