package org.posthorn.address;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostnamesTest {
    @Test
    void hostnames() {
        assertThat(Hostnames.validHostname("mail.example.com")).isTrue();
        assertThat(Hostnames.validHostname("under_score.example")).isTrue();
        assertThat(Hostnames.validHostname("123.example")).isTrue();
        assertThat(Hostnames.validHostname("localhost")).isTrue();
        assertThat(Hostnames.validHostname("")).isFalse();
        assertThat(Hostnames.validHostname("1.2.3.4")).as("all numeric").isFalse();
        assertThat(Hostnames.validHostname("123")).isFalse();
        assertThat(Hostnames.validHostname("-a.example")).isFalse();
        assertThat(Hostnames.validHostname("a-.example")).isFalse();
        assertThat(Hostnames.validHostname("a..example")).isFalse();
        assertThat(Hostnames.validHostname(".example")).isFalse();
        assertThat(Hostnames.validHostname("example.")).isFalse();
        assertThat(Hostnames.validHostname("exa mple")).isFalse();
        assertThat(Hostnames.validHostname("a".repeat(63) + ".x")).isTrue();
        assertThat(Hostnames.validHostname("a".repeat(64) + ".x")).isFalse();
        assertThat(Hostnames.validHostname(("a".repeat(60) + ".").repeat(5) + "x")).isFalse();
    }

    @Test
    void utf8HostnamesAreCheckedInAsciiForm() {
        assertThat(Hostnames.validUtf8Hostname("bücher.example", true)).isTrue();
        assertThat(Hostnames.validUtf8Hostname("bücher.example", false)).isFalse();
    }

    @Test
    void ipv4() {
        assertThat(Hostnames.validIpv4("192.0.2.1")).isTrue();
        assertThat(Hostnames.validIpv4("0.0.0.0")).isTrue();
        assertThat(Hostnames.validIpv4("0.1.2.3")).isFalse();
        assertThat(Hostnames.validIpv4("256.1.1.1")).isFalse();
        assertThat(Hostnames.validIpv4("1.2.3")).isFalse();
        assertThat(Hostnames.validIpv4("1.2.3.4.")).isFalse();
        assertThat(Hostnames.validIpv4("1..2.3")).isFalse();
    }

    @Test
    void ipv6() {
        assertThat(Hostnames.validIpv6("::1")).isTrue();
        assertThat(Hostnames.validIpv6("2001:db8::1")).isTrue();
        assertThat(Hostnames.validIpv6("1:2:3:4:5:6:7:8")).isTrue();
        assertThat(Hostnames.validIpv6("::ffff:192.0.2.1")).isTrue();
        assertThat(Hostnames.validIpv6("1:2:3:4:5:6:7:8:9")).isFalse();
        assertThat(Hostnames.validIpv6("1::2::3")).isFalse();
        assertThat(Hostnames.validIpv6("12345::1")).isFalse();
        assertThat(Hostnames.validIpv6(":1:2")).isFalse();
        assertThat(Hostnames.validIpv6("1:")).isFalse();
        assertThat(Hostnames.validHostAddress("::1")).isTrue();
        assertThat(Hostnames.validHostAddress("1.2.3.4")).isTrue();
    }

    @Test
    void mailAddressLiteralsNeedTheIpv6Prefix() {
        assertThat(Hostnames.validMailhostLiteral("[192.0.2.1]")).isTrue();
        assertThat(Hostnames.validMailhostLiteral("[IPv6:::1]")).isTrue();
        assertThat(Hostnames.validMailhostLiteral("[ipv6:2001:db8::1]")).isTrue();
        assertThat(Hostnames.validMailhostLiteral("[::1]")).isFalse();
        assertThat(Hostnames.validMailhostLiteral("[1.2.3]")).isFalse();
        assertThat(Hostnames.validMailhostLiteral("[1.2.3.4]x")).isFalse();
        assertThat(Hostnames.validMailhostLiteral("1.2.3.4")).isFalse();
        assertThat(Hostnames.mailhostAddress("IPv6:::1")).isEqualTo("::1");
    }
}
