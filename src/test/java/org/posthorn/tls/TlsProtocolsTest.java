package org.posthorn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TlsProtocolsTest {
    @Test
    void postfixDefaultEnablesEverythingFromTlsV1() {
        assertThat(TlsProtocols.enabled("smtpd_tls_protocols", ">=TLSv1"))
                .containsExactly("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
    }

    @Test
    void exclusionsInEverySeparatorStyle() {
        assertThat(TlsProtocols.enabled("p", "!SSLv2, !SSLv3")).containsExactly("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
        assertThat(TlsProtocols.enabled("p", "!SSLv2:!SSLv3:!TLSv1:!TLSv1.1")).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(TlsProtocols.enabled("p", "!SSLv2 !SSLv3 !TLSv1 !TLSv1.1 !TLSv1.2")).containsExactly("TLSv1.3");
    }

    @Test
    void boundsAndPlainNames() {
        assertThat(TlsProtocols.enabled("p", ">=TLSv1.2")).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(TlsProtocols.enabled("p", "<=TLSv1.2")).containsExactly("TLSv1", "TLSv1.1", "TLSv1.2");
        assertThat(TlsProtocols.enabled("p", ">=TLSv1.1 <=TLSv1.2")).containsExactly("TLSv1.1", "TLSv1.2");
        assertThat(TlsProtocols.enabled("p", "TLSv1.3")).containsExactly("TLSv1.3");
        assertThat(TlsProtocols.enabled("p", "tlsv1.2, TLSv1.3")).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(TlsProtocols.enabled("p", ">=TLSv1.2, !TLSv1.3")).containsExactly("TLSv1.2");
        assertThat(TlsProtocols.enabled("p", "")).containsExactly("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
    }

    @Test
    void unknownProtocolNamesTheParameter() {
        assertThatThrownBy(() -> TlsProtocols.enabled("smtpd_tls_protocols", "!SSLv2, TLSv9"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid TLS protocol list \"!SSLv2, TLSv9\" in smtpd_tls_protocols: unknown protocol \"TLSv9\"");
        assertThatThrownBy(() -> TlsProtocols.enabled("p", ">=")).isInstanceOf(IllegalArgumentException.class);
    }
}
