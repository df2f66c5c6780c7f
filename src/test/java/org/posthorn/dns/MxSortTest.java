package org.posthorn.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MxSortTest {
    private static final List<MxHost> HOSTS = List.of(new MxHost(20, "c"), new MxHost(10, "a1"),
            new MxHost(30, "d"), new MxHost(10, "a2"), new MxHost(10, "a3"), new MxHost(20, "c2"));

    @Test
    void sortedByPreferenceWithoutRandomKeepsDnsOrder() {
        assertThat(HostLookup.sort(HOSTS, null)).extracting(MxHost::host)
                .containsExactly("a1", "a2", "a3", "c", "c2", "d");
    }

    @Test
    void equalPreferencesAreShuffledNeverAcrossPreferences() {
        Random random = new Random(42);
        Set<List<String>> firstThree = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            List<MxHost> sorted = HostLookup.sort(HOSTS, random);
            assertThat(sorted).extracting(MxHost::preference).containsExactly(10, 10, 10, 20, 20, 30);
            firstThree.add(sorted.subList(0, 3).stream().map(MxHost::host).toList());
            assertThat(sorted.get(5).host()).isEqualTo("d");
        }
        assertThat(firstThree).hasSize(6); // all permutations of a1, a2, a3 occur
    }

    @Test
    void literals() {
        assertThat(HostLookup.literal("127.0.0.1")).isNotNull();
        assertThat(HostLookup.literal("ipv6:::1")).isNotNull();
        assertThat(HostLookup.literal("::1")).isNotNull();
        assertThat(HostLookup.literal("example.com")).isNull();
        assertThat(HostLookup.literal("deadbeef")).isNull();
    }

    @Test
    void serverListParsing() {
        assertThat(DnsResolver.parseServers("127.0.0.1:5353, [::1]:53 10.0.0.1"))
                .extracting(a -> a.getAddress().getHostAddress() + "/" + a.getPort())
                .containsExactly("127.0.0.1/5353", "0:0:0:0:0:0:0:1/53", "10.0.0.1/53");
    }
}
