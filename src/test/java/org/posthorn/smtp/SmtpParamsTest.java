package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.posthorn.config.Config;

class SmtpParamsTest {
    private static SmtpParams params(boolean lmtp, Map<String, String> values) {
        return new SmtpParams(Config.of(Path.of("/nonexistent"), values), lmtp);
    }

    @Test
    void smtpDefaultsArePostfixs() {
        SmtpParams p = params(false, Map.of("myhostname", "mx.example"));
        assertThat(p.get("helo_name")).isEqualTo("mx.example");
        assertThat(p.millis("connect_timeout")).isEqualTo(30_000);
        assertThat(p.millis("data_done_timeout")).isEqualTo(600_000);
        assertThat(p.integer("line_length_limit")).isEqualTo(998);
        assertThat(p.defaultPort()).isEqualTo(25);
        assertThat(p.bool("skip_quit_response")).isTrue();
        assertThat(p.get("fallback_relay")).isEmpty();
    }

    @Test
    void lmtpNamesAndDefaults() {
        SmtpParams p = params(true, Map.of("myhostname", "mx.example", "lmtp_lhlo_name", "lhlo.example",
                "smtp_helo_name", "not.used"));
        assertThat(p.name("helo_name")).isEqualTo("lmtp_lhlo_name");
        assertThat(p.name("helo_timeout")).isEqualTo("lmtp_lhlo_timeout");
        assertThat(p.get("helo_name")).isEqualTo("lhlo.example");
        assertThat(p.millis("connect_timeout")).isZero();
        assertThat(p.defaultPort()).isEqualTo(24);
        assertThat(p.bool("skip_quit_response")).isFalse();
    }

    @Test
    void mainCfOverridesAndExpansion() {
        SmtpParams p = params(false, Map.of("fallback_relay", "[backup.example]", "smtp_rcpt_timeout", "2m"));
        assertThat(p.get("fallback_relay")).isEqualTo("[backup.example]");
        assertThat(p.millis("rcpt_timeout")).isEqualTo(120_000);
    }

    @Test
    void badValuesAreOneClearError() {
        assertThatThrownBy(() -> params(false, Map.of("smtp_mx_address_limit", "five")).validate())
                .hasMessage("bad numerical configuration: smtp_mx_address_limit = five");
        assertThatThrownBy(() -> params(true, Map.of("lmtp_lhlo_timeout", "soon")).validate())
                .hasMessage("parameter lmtp_lhlo_timeout: bad time value or unit: soon");
        assertThatThrownBy(() -> params(false, Map.of("smtp_tcp_port", "nosuch")).validate())
                .hasMessageContaining("unknown service: nosuch/tcp");
        params(false, Map.of()).validate();
    }
}
