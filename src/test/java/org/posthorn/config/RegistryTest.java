package org.posthorn.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The parameter registry, the computed defaults and postconf's line folding. */
class RegistryTest {
    @Test
    void everyPostfixParameterWithItsType() {
        assertThat(Defaults.all()).hasSizeGreaterThan(800);
        assertThat(Defaults.lookup("smtpd_banner").text()).isEqualTo("$myhostname ESMTP $mail_name");
        assertThat(Defaults.lookup("biff").type()).isEqualTo(ParameterType.BOOL);
        assertThat(Defaults.lookup("default_process_limit").type()).isEqualTo(ParameterType.INT);
        assertThat(Defaults.lookup("message_size_limit").type()).isEqualTo(ParameterType.SIZE);
        assertThat(Defaults.lookup("virtual_alias_maps").type()).isEqualTo(ParameterType.TABLES);
        assertThat(Defaults.lookup("mydestination").type()).isEqualTo(ParameterType.LIST);
        Defaults.Parameter t = Defaults.lookup("address_verify_negative_expire_time");
        assertThat(t.type()).isEqualTo(ParameterType.TIME);
        assertThat(t.timeUnit()).isEqualTo('d');
        assertThat(Defaults.lookup("myhostname").computed()).isTrue();
        assertThat(Defaults.lookup("forward_path").raw()).isTrue();
        assertThat(Defaults.isBuiltin("postscreen_blacklist_action")).isFalse();
        assertThat(Defaults.isLegacy("postscreen_blacklist_action")).isTrue();
        assertThat(Defaults.lookup("nonexistent")).isNull();
    }

    @Test
    void hostAndDomainDefaults() {
        assertThat(SystemDefaults.mydomain("vm.localdomain")).isEqualTo("localdomain");
        assertThat(SystemDefaults.mydomain("a.b.c")).isEqualTo("b.c");
        assertThat(SystemDefaults.mydomain("vm")).isEqualTo("localdomain");
        String host = SystemDefaults.myhostname(null);
        assertThat(host).contains(".");
        if (!host.endsWith(".localdomain")) return;
        assertThat(SystemDefaults.myhostname("example.org")).endsWith(".example.org");
    }

    @Test
    void networkNotation() throws Exception {
        assertThat(SystemDefaults.network(InetAddress.getByName("192.0.2.77"), 24)).isEqualTo("192.0.2.0/24");
        assertThat(SystemDefaults.network(InetAddress.getByName("127.0.0.1"), 8)).isEqualTo("127.0.0.0/8");
        assertThat(SystemDefaults.network(InetAddress.getByName("fe80::fc:ff:fe00:1"), 64)).isEqualTo("[fe80::]/64");
        assertThat(SystemDefaults.network(InetAddress.getByName("::1"), 128)).isEqualTo("[::1]/128");
        assertThat(SystemDefaults.network(InetAddress.getByName("2001:db8:0:1:0:0:0:1"), 128))
                .isEqualTo("[2001:db8:0:1::1]/128");
        assertThat(SystemDefaults.network(InetAddress.getByName("2001:db8:1:0:1:0:1:1"), 128))
                .as("a single zero group is not compressed").isEqualTo("[2001:db8:1:0:1:0:1:1]/128");
    }

    @Test
    void mynetworksStyles() {
        assertThat(SystemDefaults.mynetworks("host", "loopback-only", "all")).isEqualTo("127.0.0.1/32 [::1]/128");
        assertThat(SystemDefaults.mynetworks("class", "127.0.0.1", "ipv4")).isEqualTo("127.0.0.0/8");
        assertThat(SystemDefaults.mynetworks("subnet", "loopback-only", "ipv6")).isEqualTo("[::1]/128");
    }

    @Test
    void folding() {
        assertThat(PostconfFormat.parameter("relayhost", "", false)).isEqualTo("relayhost =");
        assertThat(PostconfFormat.parameter("relayhost", " a   b\tc  ", false)).isEqualTo("relayhost = a b c");
        assertThat(PostconfFormat.parameter("mydestination", "aaaaaaaaaa bbbbbbbbbbbbbbbbbbb cccccccccccccccccccc "
                + "dddddddddddddddddddddd eeeeeeeeeeeeeeeeeeeeeee ffffffffffffffff gggggggggggggggggggg", true))
                .isEqualTo("""
                        mydestination = aaaaaaaaaa bbbbbbbbbbbbbbbbbbb cccccccccccccccccccc
                            dddddddddddddddddddddd eeeeeeeeeeeeeeeeeeeeeee ffffffffffffffff
                            gggggggggggggggggggg""");
        assertThat(PostconfFormat.value("x".repeat(100) + " y", true)).isEqualTo("x".repeat(100) + "\n    y");
    }

    @Test
    void serviceParametersComeFromTheDeliveryAgentsInMasterCf() throws ConfigException {
        MasterCf m = MasterCf.parse(Path.of("master.cf"), java.util.List.of(
                "relay unix - - n - - smtp", "x unix - n n - - pipe argv=/bin/true", "s unix - n n - 0 spawn",
                "d unix - - n - - discard", "local unix - n n - - local"));
        Map<String, String> p = ServiceParameters.of(m);
        assertThat(p).containsEntry("relay_destination_concurrency_limit", "$default_destination_concurrency_limit")
                .containsEntry("relay_initial_destination_concurrency", "$initial_destination_concurrency")
                .containsEntry("x_time_limit", "$command_time_limit")
                .containsEntry("s_time_limit", "$command_time_limit")
                .doesNotContainKey("relay_time_limit").doesNotContainKey("s_recipient_limit")
                .doesNotContainKey("d_recipient_limit")
                .containsEntry("local_destination_concurrency_limit", "2");
        assertThat(p).hasSize(16 + 17 + 1 + 16);
    }
}
