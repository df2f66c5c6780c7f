package org.posthorn.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterfaceAddressesTest {
    @Test
    void literalsOfOwnAndProxyAddressesAreLocal() throws Exception {
        InterfaceAddresses a = InterfaceAddresses.of(List.of("127.0.0.1"), List.of("192.0.2.7"), List.of("ipv4"));
        assertThat(a.isLocalLiteral("[127.0.0.1]")).isTrue();
        assertThat(a.isLocalLiteral("[192.0.2.7]")).isTrue();
        assertThat(a.isOwn(InetAddress.ofLiteral("192.0.2.7"))).isFalse();
        assertThat(a.isLocalLiteral("[127.0.0.2]")).isFalse();
        assertThat(a.isLocalLiteral("127.0.0.1")).isFalse();
        assertThat(a.isLocalLiteral("[1.2.3]")).isFalse();
    }

    @Test
    void loopbackOnlyAndProtocols() throws Exception {
        InterfaceAddresses both = InterfaceAddresses.of(List.of("loopback-only"), List.of(), List.of("all"));
        assertThat(both.isLocalLiteral("[IPv6:::1]")).isTrue();
        assertThat(both.isLocalLiteral("[::1]")).as("IPv6 needs its prefix").isFalse();
        InterfaceAddresses v4 = InterfaceAddresses.of(List.of("loopback-only"), List.of(), List.of("ipv4"));
        assertThat(v4.isLocalLiteral("[IPv6:::1]")).isFalse();
        assertThat(v4.isLocalLiteral("[127.0.0.1]")).isTrue();
    }

    @Test
    void allIncludesLoopback() throws Exception {
        InterfaceAddresses all = InterfaceAddresses.of(List.of("all"), List.of(), List.of("all"));
        assertThat(all.isLocal(InetAddress.ofLiteral("127.0.0.1"))).isTrue();
    }
}
