package org.posthorn.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswdTest {
    @TempDir
    Path dir;

    @Test
    void findsEntriesByNameAndUidAndSkipsLinesThatAreNoEntries() throws IOException {
        Passwd p = passwd("root:x:0:0:root:/root:/bin/bash\nbroken line\njoe:x:1000:100:Joe:/home/joe:/bin/sh\n");
        assertThat(p.lookup("joe")).isEqualTo(new UserAccount("joe", 1000, 100, "/home/joe", "/bin/sh"));
        assertThat(p.lookup("jo")).isNull();
        assertThat(p.lookup("joe:x")).isNull();
        assertThat(p.lookup("")).isNull();
        assertThat(p.byUid(0).name()).isEqualTo("root");
        assertThat(p.byUid(4711)).isNull();
    }

    @Test
    void aChangedFileIsReadAgainAtTheNextLookup() throws IOException {
        Passwd p = passwd("joe:x:1000:100::/home/joe:/bin/sh\n");
        Path file = dir.resolve("passwd");
        assertThat(p.lookup("ann")).isNull();
        // appended in place (same inode), as useradd does
        Files.writeString(file, "ann:x:1001:100::/home/ann:/bin/sh\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(p.lookup("ann").uid()).isEqualTo(1001);
        // replaced by a file of the same size (vipw): a new inode
        Path next = dir.resolve("passwd.new");
        Files.writeString(next, "joe:x:1000:100::/home/joe:/bin/sh\nann:x:1002:100::/home/ann:/bin/sh\n");
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThat(p.lookup("ann").uid()).isEqualTo(1002);
        assertThat(p.byUid(1001)).isNull();
    }

    @Test
    void aMissingFileIsAnErrorNotAnUnknownUser() throws IOException {
        Passwd p = passwd("joe:x:1000:100::/home/joe:/bin/sh\n");
        assertThat(p.lookup("joe")).isNotNull();
        Files.delete(dir.resolve("passwd"));
        assertThatThrownBy(() -> p.lookup("joe")).isInstanceOf(IOException.class);
    }

    private Passwd passwd(String text) throws IOException {
        Path file = dir.resolve("passwd");
        Files.writeString(file, text);
        return new Passwd(file);
    }
}
