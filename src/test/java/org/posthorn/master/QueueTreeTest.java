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
        Config c = Config.of(dir, Map.of("queue_directory", queue.toString(), "data_directory", data.toString(),
                "mail_owner", System.getProperty("user.name"), "setgid_group", System.getProperty("user.name")));
        List<String> warnings = new ArrayList<>();
        QueueTree.create(c, warnings);
        for (String d : List.of("active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming",
                "private", "saved", "trace")) {
            assertThat(mode(queue.resolve(d))).as(d).isEqualTo("rwx------");
        }
        // group bits open maildrop/ and public/ to setgid_group only when run as root (QueueDirectory)
        boolean root = System.getProperty("user.name").equals("root");
        assertThat(mode(queue.resolve("maildrop"))).isEqualTo(root ? "rwx-wx---" : "rwx------");
        assertThat(mode(queue.resolve("public"))).isEqualTo(root ? "rwx--x---" : "rwx------");
        assertThat(mode(queue.resolve("pid"))).isEqualTo("rwxr-xr-x");
        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(warnings).isEmpty();
    }

    @Test
    void warnsAboutDirectoriesNotOwnedByMailOwner() throws Exception {
        Path queue = dir.resolve("spool");
        String me = System.getProperty("user.name");
        QueueTree.create(Config.of(dir, Map.of("queue_directory", queue.toString(), "mail_owner", me,
                "setgid_group", me)), null);
        List<String> warnings = new ArrayList<>();
        // a user that exists on every system and owns none of our files; only root checks owners
        QueueTree.create(Config.of(dir, Map.of("queue_directory", queue.toString(), "mail_owner", "nobody",
                "setgid_group", me)), warnings);
        if (me.equals("root")) {
            assertThat(warnings).contains(queue.resolve("incoming") + " is owned by root, expected nobody")
                    .noneMatch(w -> w.startsWith(queue.resolve("pid").toString()));
        }
    }

    @Test
    void warnsAboutWritableDirectories() throws Exception {
        Path queue = dir.resolve("spool");
        Config c = Config.of(dir, Map.of("queue_directory", queue.toString(), "mail_owner", System.getProperty("user.name"),
                "setgid_group", System.getProperty("user.name")));
        QueueTree.create(c, null);
        Files.setPosixFilePermissions(queue.resolve("hold"), PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> warnings = new ArrayList<>();
        QueueTree.create(c, warnings);
        assertThat(warnings).containsExactly(queue.resolve("hold") + " has mode 0777, expected 0700");
    }
}
