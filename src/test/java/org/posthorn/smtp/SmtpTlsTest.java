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
    void matchNamesPerLevel() throws Exception {
        Target mx = Target.inet("mx1.example.com", java.net.InetAddress.getByName("192.0.2.1"), 25)
                .from("example.com", "example.com", false);
        SmtpTls verify = new SmtpTls(params(Map.of("smtp_tls_security_level", "verify"), false), null, false,
                org.posthorn.log.Log.of("test"));
        assertThat(verify.effective(mx, verify.declared("example.com")).names()).containsExactly("mx1.example.com");
        SmtpTls secure = new SmtpTls(params(Map.of("smtp_tls_security_level", "secure"), false), null, false,
                org.posthorn.log.Log.of("test"));
        assertThat(secure.effective(mx, secure.declared("example.com")).names()).containsExactly("example.com", ".example.com");
        // dane without DNSSEC lookups: may, with a warning
        SmtpTls dane = new SmtpTls(params(Map.of("smtp_tls_security_level", "dane"), false), null, true,
                org.posthorn.log.Log.of("test"));
        assertThat(dane.effective(mx, dane.declared("example.com")).level()).isEqualTo(Level.MAY);
        SmtpTls daneOnly = new SmtpTls(params(Map.of("smtp_tls_security_level", "dane-only"), false), null, true,
                org.posthorn.log.Log.of("test"));
        assertThatThrownBy(() -> daneOnly.effective(mx, daneOnly.declared("example.com")))
                .hasMessage("client TLS configuration problem");
        // protocols: may uses smtp_tls_protocols, the mandatory levels smtp_tls_mandatory_protocols
        SmtpTls may = new SmtpTls(params(Map.of("smtp_tls_security_level", "may", "smtp_tls_protocols", "TLSv1.3",
                "smtp_tls_mandatory_protocols", "TLSv1.2"), false), null, false, org.posthorn.log.Log.of("test"));
        assertThat(may.effective(mx, may.declared("example.com")).protocols()).containsExactly("TLSv1.3");
    }
}
