package org.posthorn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TlsCiphersTest {
    private static final List<String> SUITES = List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
            "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
            "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
            "TLS_DH_anon_WITH_AES_128_CBC_SHA",
            "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_NULL_SHA256",
            "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");

    @Test
    void opensslNamesAsPostfixLogsThem() {
        assertThat(CipherSuite.parse("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384").opensslName()).isEqualTo("ECDHE-RSA-AES256-GCM-SHA384");
        assertThat(CipherSuite.parse("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA").opensslName()).isEqualTo("ECDHE-RSA-AES128-SHA");
        assertThat(CipherSuite.parse("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256").opensslName()).isEqualTo("ECDHE-ECDSA-AES128-SHA256");
        assertThat(CipherSuite.parse("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256").opensslName()).isEqualTo("ECDHE-RSA-CHACHA20-POLY1305");
        assertThat(CipherSuite.parse("TLS_RSA_WITH_AES_256_GCM_SHA384").opensslName()).isEqualTo("AES256-GCM-SHA384");
        assertThat(CipherSuite.parse("TLS_RSA_WITH_AES_128_CBC_SHA").opensslName()).isEqualTo("AES128-SHA");
        assertThat(CipherSuite.parse("TLS_RSA_WITH_3DES_EDE_CBC_SHA").opensslName()).isEqualTo("DES-CBC3-SHA");
        assertThat(CipherSuite.parse("TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA").opensslName()).isEqualTo("EDH-RSA-DES-CBC3-SHA");
        assertThat(CipherSuite.parse("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384").opensslName()).isEqualTo("DHE-RSA-AES256-GCM-SHA384");
        assertThat(CipherSuite.parse("TLS_DH_anon_WITH_AES_128_CBC_SHA").opensslName()).isEqualTo("ADH-AES128-SHA");
        assertThat(CipherSuite.parse("TLS_ECDH_anon_WITH_AES_256_CBC_SHA").opensslName()).isEqualTo("AECDH-AES256-SHA");
        assertThat(CipherSuite.parse("TLS_RSA_WITH_NULL_SHA256").opensslName()).isEqualTo("NULL-SHA256");
        assertThat(CipherSuite.parse("TLS_AES_256_GCM_SHA384").opensslName()).isEqualTo("TLS_AES_256_GCM_SHA384");
        CipherSuite tdes = CipherSuite.parse("TLS_RSA_WITH_3DES_EDE_CBC_SHA");
        assertThat(tdes.bits() + "/" + tdes.algBits()).isEqualTo("112/168");
        assertThat(CipherSuite.parse("TLS_EMPTY_RENEGOTIATION_INFO_SCSV")).isNull();
    }

    @Test
    void grades() {
        List<String> high = TlsCiphers.select("smtpd_tls_ciphers", "high", "", SUITES);
        assertThat(high).contains("TLS_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                "TLS_DH_anon_WITH_AES_128_CBC_SHA", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
                .doesNotContain("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_NULL_SHA256");
        List<String> medium = TlsCiphers.select("smtpd_tls_ciphers", "Medium", "", SUITES);
        assertThat(medium).contains("TLS_RSA_WITH_3DES_EDE_CBC_SHA").doesNotContain("TLS_RSA_WITH_NULL_SHA256");
        // the order stays the given one
        assertThat(medium).isEqualTo(SUITES.stream().filter(medium::contains).toList());
        assertThat(TlsCiphers.select("p", "null", "", SUITES))
                .containsExactly("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_RSA_WITH_NULL_SHA256",
                        "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
        assertThatThrownBy(() -> TlsCiphers.select("smtpd_tls_ciphers", "strong", "", SUITES))
                .hasMessage("invalid smtpd_tls_ciphers value \"strong\"");
    }

    @Test
    void exclusionsByComponentAndName() {
        List<String> out = TlsCiphers.select("p", "medium", "aNULL, 3DES:kRSA SHA1", SUITES);
        assertThat(out).containsExactly("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
        assertThat(TlsCiphers.select("p", "high", "ECDHE-RSA-AES128-SHA TLS_RSA_WITH_AES_256_GCM_SHA384 aECDSA", SUITES))
                .doesNotContain("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_GCM_SHA384",
                        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")
                .contains("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
        // TLS 1.3 suites are not subject to exclusions (as with OpenSSL's cipher lists)
        assertThat(TlsCiphers.select("p", "high", "AES CHACHA20", SUITES)).contains("TLS_AES_256_GCM_SHA384");
    }

    @Test
    void jsseSuitesAllParse() {
        for (String s : TlsCiphers.jsseSuites()) {
            if (!s.endsWith("_SCSV")) assertThat(CipherSuite.parse(s)).as(s).isNotNull();
        }
    }
}
