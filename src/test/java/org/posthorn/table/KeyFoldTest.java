package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.posthorn.config.Config;

class KeyFoldTest {
    @Test
    void foldsAsciiOnlyUnlessSmtputf8IsOn() {
        Config off = Config.of(Path.of("/x"), Map.of("smtputf8_enable", "no"));
        Config on = Config.of(Path.of("/x"), Map.of("smtputf8_enable", "yes"));
        assertThat(KeyFold.of(off, true)).isEqualTo(KeyFold.ASCII);
        assertThat(KeyFold.of(on, true)).isEqualTo(KeyFold.UTF8);
        assertThat(KeyFold.of(on, false)).isEqualTo(KeyFold.NONE);
        assertThat(KeyFold.ASCII.apply("ÜSER@EXAMPLE.COM")).isEqualTo("Üser@example.com");
        assertThat(KeyFold.UTF8.apply("ÜSER@EXAMPLE.COM")).isEqualTo("üser@example.com");
        assertThat(KeyFold.NONE.apply("User")).isEqualTo("User");
        assertThat(KeyFold.ASCII.apply("plain")).isSameAs("plain");
    }
}
