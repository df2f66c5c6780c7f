package org.posthorn.master;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainCfCheckTest {
    @TempDir
    Path dir;

    @Test
    void aLineWithoutEqualsIsNamedWithFileAndLine() throws Exception {
        Path f = dir.resolve("main.cf");
        Files.writeString(f, "# c\nmyhostname = a.b\n\nbogus line here\n  continued\nx =\n");
        assertThat(MainCfCheck.check(f)).containsExactly(
                f + ", line 4: missing '=' after attribute name: \"bogus line here  continued\"");
    }

    @Test
    void validFilesAndAMissingFilePass() throws Exception {
        Path f = dir.resolve("main.cf");
        Files.writeString(f, "a = b\n  c\nd=e\nempty =\n");
        assertThat(MainCfCheck.check(f)).isEmpty();
        assertThat(MainCfCheck.check(dir.resolve("none"))).isEmpty();
    }
}
