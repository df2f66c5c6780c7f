package org.posthorn.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenAddressTest {
    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        ListenAddress.servicesFile = Path.of("/etc/services");
    }

    @Test
    void hostAndPortBindOneAddress() {
        assertThat(ListenAddress.resolve("127.0.0.1:2525", "all", "all"))
                .containsExactly(new InetSocketAddress("127.0.0.1", 2525));
        assertThat(ListenAddress.resolve("[::1]:25", "all", "all"))
                .containsExactly(new InetSocketAddress("::1", 25));
    }

    @Test
    void barePortBindsEveryInetInterface() {
        assertThat(ListenAddress.resolve("2525", "127.0.0.1, 127.0.0.2", "ipv4"))
                .containsExactly(new InetSocketAddress("127.0.0.1", 2525), new InetSocketAddress("127.0.0.2", 2525));
        assertThat(ListenAddress.resolve("2525", "loopback-only", "ipv4"))
                .containsExactly(new InetSocketAddress("127.0.0.1", 2525));
        List<InetSocketAddress> all = ListenAddress.resolve("2525", "all", "ipv4");
        assertThat(all).hasSize(1);
        assertThat(all.get(0).getAddress().isAnyLocalAddress()).isTrue();
        assertThat(all.get(0).getAddress().getAddress()).hasSize(4);
    }

    @Test
    void serviceNamesComeFromEtcServices() throws Exception {
        Path services = dir.resolve("services");
        Files.writeString(services, "# comment\nsmtp\t\t25/tcp\t\tmail\nsubmission\t587/tcp\nfoo 99/udp\n");
        ListenAddress.servicesFile = services;
        assertThat(ListenAddress.port("smtp")).isEqualTo(25);
        assertThat(ListenAddress.port("mail")).isEqualTo(25);
        assertThat(ListenAddress.resolve("127.0.0.1:submission", "all", "all"))
                .containsExactly(new InetSocketAddress("127.0.0.1", 587));
        assertThatThrownBy(() -> ListenAddress.port("foo")).hasMessage("unknown service: foo/tcp");
    }

    @Test
    void badPortsAreRefused() {
        assertThatThrownBy(() -> ListenAddress.port("0")).hasMessageContaining("bad port number");
        assertThatThrownBy(() -> ListenAddress.port("65536")).hasMessageContaining("bad port number");
        assertThatThrownBy(() -> ListenAddress.resolve("[::1]25", "all", "all")).hasMessageContaining("bad inet service address");
    }
}
