package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.posthorn.config.Config;
import org.posthorn.tls.TlsPolicy.Level;

class SmtpTlsTest {
    private static SmtpParams params(Map<String, String> values, boolean lmtp) {
        return new SmtpParams(Config.of(Path.of("/nonexistent"), values), lmtp);
    }

    @Test
    void globalLevelFromTheLegacyParameters() {
        assertThat(SmtpTls.globalLevel(params(Map.of(), false))).isEqualTo(Level.NONE);
        assertThat(SmtpTls.globalLevel(params(Map.of("smtp_use_tls", "yes"), false))).isEqualTo(Level.MAY);
        assertThat(SmtpTls.globalLevel(params(Map.of("smtp_enforce_tls", "yes"), false))).isEqualTo(Level.VERIFY);
        assertThat(SmtpTls.globalLevel(params(Map.of("smtp_enforce_tls", "yes", "smtp_tls_enforce_peername", "no"), false)))
                .isEqualTo(Level.ENCRYPT);
        // smtp_tls_security_level wins over the legacy ones
        assertThat(SmtpTls.globalLevel(params(Map.of("smtp_tls_security_level", "dane", "smtp_use_tls", "yes"), false)))
                .isEqualTo(Level.DANE);
        // lmtp has its own names
        assertThat(SmtpTls.globalLevel(params(Map.of("smtp_tls_security_level", "encrypt"), true))).isEqualTo(Level.NONE);
        assertThat(SmtpTls.globalLevel(params(Map.of("lmtp_tls_security_level", "may"), true))).isEqualTo(Level.MAY);
        assertThatThrownBy(() -> SmtpTls.globalLevel(params(Map.of("smtp_tls_security_level", "must"), false)))
                .hasMessage("invalid tls security level: \"must\"");
    }
}
