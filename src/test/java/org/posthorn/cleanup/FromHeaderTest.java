package org.posthorn.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.posthorn.config.Config;

/** The added From: header as Postfix 3.7 writes it (checked against Debian's Postfix in CleanupOracleTest). */
class FromHeaderTest {
    @Test
    void standardQuotesSpecialsOnly() {
        assertThat(FromHeader.value("a@x", "Plain  Name ", "standard")).isEqualTo("Plain Name <a@x>");
        assertThat(FromHeader.value("a@x", "Doe, John \"J\" (x)", "standard")).isEqualTo("\"Doe, John \\\"J\\\" (x)\" <a@x>");
        assertThat(FromHeader.value("a@x", "p%q", "standard")).isEqualTo("\"p%q\" <a@x>");
        assertThat(FromHeader.value("a@x", "J\u00f6rg", "standard")).isEqualTo("J\u00c3\u00b6rg <a@x>"); // UTF-8 bytes
        assertThat(FromHeader.value("a@x", "  ", "standard")).isEqualTo("<a@x>");
    }

    @Test
    void obsoleteAndNoName() {
        assertThat(FromHeader.value("a@x", "Doe, J (x)", "obsolete")).isEqualTo("a@x (Doe, J (x))");
        assertThat(FromHeader.value("a@x", "", "standard")).isEqualTo("a@x");
        assertThat(FromHeader.value("a@x", null, "obsolete")).isEqualTo("a@x");
        assertThat(FromHeader.value("", "Some One", "standard")).isEqualTo("MAILER-DAEMON");
    }

    @Test
    void headerFromFormatIsCheckedAsPostfixDoes() {
        assertThat(CleanupSettings.from(Config.of(Path.of("/nonexistent"), Map.of())).headerFromFormat()).isEqualTo("standard");
        assertThat(CleanupSettings.from(Config.of(Path.of("/nonexistent"), Map.of("header_from_format", "Obsolete")))
                .headerFromFormat()).isEqualTo("obsolete");
        assertThatThrownBy(() -> CleanupSettings.from(Config.of(Path.of("/nonexistent"), Map.of("header_from_format", "bogus"))))
                .hasMessage("invalid setting: \"header_from_format = bogus\"");
    }
}
