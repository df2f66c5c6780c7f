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

    @Test
    void protocolSyntax() {
        assertThat(SmtpTls.protocols(">=TLSv1")).containsExactly("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
        assertThat(SmtpTls.protocols(">=TLSv1.2")).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(SmtpTls.protocols("<=TLSv1.2, >=TLSv1.1")).containsExactly("TLSv1.1", "TLSv1.2");
        assertThat(SmtpTls.protocols("!SSLv2, !SSLv3, !TLSv1, !TLSv1.1")).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(SmtpTls.protocols("TLSv1.3")).containsExactly("TLSv1.3");
        assertThatThrownBy(() -> SmtpTls.protocols(">=TLSv9")).hasMessageContaining("TLSv9");
    }

    @Test
    void openSslCipherNames() {
        assertThat(SmtpTls.opensslName("TLS_AES_256_GCM_SHA384")).isEqualTo("TLS_AES_256_GCM_SHA384");
        assertThat(SmtpTls.opensslName("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")).isEqualTo("ECDHE-RSA-AES256-GCM-SHA384");
        assertThat(SmtpTls.opensslName("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"))
                .isEqualTo("ECDHE-ECDSA-CHACHA20-POLY1305");
        assertThat(SmtpTls.opensslName("TLS_RSA_WITH_AES_128_CBC_SHA")).isEqualTo("AES128-SHA");
        assertThat(SmtpTls.exclude(new String[] {"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_AES_128_GCM_SHA256",
                "TLS_DH_anon_WITH_AES_128_CBC_SHA"}, new String[] {"aNULL", "kRSA"})).containsExactly("TLS_AES_128_GCM_SHA256");
    }
}
