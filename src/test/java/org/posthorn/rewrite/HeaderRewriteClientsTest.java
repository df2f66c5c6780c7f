package org.posthorn.rewrite;

import org.posthorn.table.TableFactory;
import org.posthorn.config.Config;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.posthorn.address.InterfaceAddresses;
import org.posthorn.log.Log;

class HeaderRewriteClientsTest {
    private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");
    private static final InetAddress OTHER = InetAddress.ofLiteral("192.0.2.9");

    private static RewriteContext decide(String value, HeaderRewriteClients.Client client) throws Exception {
        InterfaceAddresses ifs = InterfaceAddresses.of(List.of("127.0.0.1"), List.of(), List.of("ipv4"));
        return new HeaderRewriteClients(value, ifs,
                spec -> TableFactory.openUncached(spec, Config.of(Path.of("/nonexistent"), Map.of()), true), Log.of("test")).decide(client);
    }

    private static HeaderRewriteClients.Client client(InetAddress a, boolean mynetworks, boolean sasl) {
        return new HeaderRewriteClients.Client(a, mynetworks, sasl, false, false);
    }

    @Test
    void defaultPermitsOnlyOurOwnInterfaces() throws Exception {
        assertThat(decide("permit_inet_interfaces", client(LOOPBACK, false, false))).isEqualTo(RewriteContext.LOCAL);
        assertThat(decide("permit_inet_interfaces", client(OTHER, true, true))).isEqualTo(RewriteContext.REMOTE);
    }

    @Test
    void mynetworksSaslAndStaticAll() throws Exception {
        assertThat(decide("permit_mynetworks", client(OTHER, true, false))).isEqualTo(RewriteContext.LOCAL);
        assertThat(decide("permit_sasl_authenticated", client(OTHER, false, true))).isEqualTo(RewriteContext.LOCAL);
        assertThat(decide("permit_sasl_authenticated", client(OTHER, false, false))).isEqualTo(RewriteContext.REMOTE);
        assertThat(decide("static:all", client(OTHER, false, false))).isEqualTo(RewriteContext.LOCAL);
        assertThat(decide("", client(LOOPBACK, true, true))).isEqualTo(RewriteContext.REMOTE);
    }

    @Test
    void checkAddressMap() throws Exception {
        String value = "check_address_map inline:{ 192.0.2.9=OK, 192.0.2.10=REJECT }";
        assertThat(decide(value, client(OTHER, false, false))).isEqualTo(RewriteContext.LOCAL);
        assertThat(decide(value, client(InetAddress.ofLiteral("192.0.2.10"), false, false)))
                .isEqualTo(RewriteContext.REMOTE);
    }
}
