package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.posthorn.dns.DnsException;
import org.posthorn.dns.HostLookup;

class DestinationsTest {
    private static final HostLookup NO_DNS = new HostLookup(null, false, true, true, true, null);

    @Test
    void smtpNexthopForms() {
        Destinations d = new Destinations(NO_DNS, false, 25, false, "me.example", java.nio.file.Path.of("/var/spool/postfix"));
        assertThat(d.parse("example.com")).containsExactly(new Destinations.Hop("example.com", 25, true, null, "example.com"));
        assertThat(d.parse("Example.COM:2525")).containsExactly(new Destinations.Hop("example.com", 2525, true, null, "example.com:2525"));
        assertThat(d.parse("[mail.example.com]")).containsExactly(new Destinations.Hop("mail.example.com", 25, false, null, "[mail.example.com]"));
        assertThat(d.parse("[127.0.0.1]:10025, [::1]:26")).containsExactly(
                new Destinations.Hop("127.0.0.1", 10025, false, null, "[127.0.0.1]:10025"), new Destinations.Hop("::1", 26, false, null, "[::1]:26"));
        assertThat(d.parse("[ipv6:2001:db8::1]:25").getFirst().mx()).isFalse();
        assertThatThrownBy(() -> d.parse("unix:/tmp/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.parse("[host:25")).hasMessageContaining("[host:25");
        assertThatThrownBy(() -> d.parse("host:port")).hasMessageContaining("bad port");
    }

    @Test
    void lmtpNexthopFormsNeverUseMx() {
        Destinations d = new Destinations(NO_DNS, true, 24, false, "me.example", java.nio.file.Path.of("/var/spool/postfix"));
        assertThat(d.parse("inet:localhost:2424")).containsExactly(new Destinations.Hop("localhost", 2424, false, null, "inet:localhost:2424"));
        assertThat(d.parse("inet:localhost")).containsExactly(new Destinations.Hop("localhost", 24, false, null, "inet:localhost"));
        assertThat(d.parse("unix:/var/run/dovecot/lmtp")).containsExactly(
                new Destinations.Hop(null, 0, false, "/var/run/dovecot/lmtp", "unix:/var/run/dovecot/lmtp"));
        assertThat(d.parse("[127.0.0.1]:24").getFirst().mx()).isFalse();
    }

    @Test
    void literalsResolveWithoutLookupAndRelayTextIsPostfixs() throws DnsException {
        Destinations d = new Destinations(NO_DNS, false, 25, false, "me.example", java.nio.file.Path.of("/var/spool/postfix"));
        List<Target> t = d.resolve("[127.0.0.1]:2525", 5);
        assertThat(t).hasSize(1);
        assertThat(t.getFirst().relay()).isEqualTo("127.0.0.1[127.0.0.1]:2525");
        assertThat(t.getFirst().namaddr()).isEqualTo("127.0.0.1[127.0.0.1]");
        Destinations lmtp = new Destinations(NO_DNS, true, 24, false, "me.example", java.nio.file.Path.of("/var/spool/postfix"));
        assertThat(lmtp.resolve("unix:/run/lmtp", 5).getFirst().relay()).isEqualTo("me.example[/run/lmtp]");
        Target relative = lmtp.resolve("unix:private/dovecot-lmtp", 5).getFirst();
        assertThat(relative.relay()).isEqualTo("me.example[private/dovecot-lmtp]");
        assertThat(relative.address().toString()).isEqualTo("/var/spool/postfix/private/dovecot-lmtp");
    }

    @Test
    void addressLimitApplies() throws DnsException {
        Destinations d = new Destinations(NO_DNS, false, 25, false, "me.example", java.nio.file.Path.of("/var/spool/postfix"));
        assertThat(d.resolve("[127.0.0.1], [127.0.0.2], [127.0.0.3]", 2)).hasSize(2);
        assertThat(d.resolve("[127.0.0.1], [127.0.0.2], [127.0.0.3]", 0)).hasSize(3);
    }

    @Test
    void nativeLookupFailureIsWordedAsPostfix() {
        Destinations d = new Destinations(NO_DNS, false, 25, false, "me.example", java.nio.file.Path.of("/var/spool/postfix"));
        assertThatThrownBy(() -> d.resolve("[no-such-host.invalid]", 5))
                .isInstanceOf(DnsException.class)
                .hasMessage("unable to look up host no-such-host.invalid: Name or service not known")
                .satisfies(e -> assertThat(((DnsException) e).dsn()).isEqualTo("5.4.4"));
    }
}
