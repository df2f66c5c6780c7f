package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.posthorn.config.Config;

class AddressLookupTest {
    private final Config config = Config.of(Path.of("/nonexistent"), Map.of());

    @Test
    void virtualAndCanonicalOrder() {
        assertThat(AddressLookup.mailAddressKeys("user+ext@example.com", "+", d -> false))
                .containsExactly("user+ext@example.com", "user@example.com", "@example.com");
        assertThat(AddressLookup.mailAddressKeys("user+ext@localhost", "+", d -> d.equals("localhost")))
                .containsExactly("user+ext@localhost", "user@localhost", "user+ext", "user", "@localhost");
        assertThat(AddressLookup.mailAddressKeys("user@example.com", "", d -> true))
                .containsExactly("user@example.com", "user", "@example.com");
        assertThat(AddressLookup.mailAddressKeys("user-ext", "-+", d -> true)).containsExactly("user-ext", "user");
    }

    @Test
    void extensionsFollowPostfixsExceptions() {
        assertThat(AddressLookup.stripExtension("user+foo+bar", "+")).isEqualTo("user");
        assertThat(AddressLookup.stripExtension("user-foo", "+-")).isEqualTo("user");
        assertThat(AddressLookup.stripExtension("owner-list", "-")).isNull();
        assertThat(AddressLookup.stripExtension("list-request", "-")).isNull();
        assertThat(AddressLookup.stripExtension("owner-list", "+")).isNull();
        assertThat(AddressLookup.stripExtension("Postmaster", "+")).isNull();
        assertThat(AddressLookup.stripExtension("+foo", "+")).isNull();
        assertThat(AddressLookup.stripExtension("user", "+")).isNull();
        // Postfix never splits at a leading delimiter, even when another one follows
        assertThat(AddressLookup.stripExtension("+foo+bar", "+")).isNull();
        assertThat(AddressLookup.stripExtension("double-bounce", "-")).isNull();
    }

    @Test
    void accessOrderWithDotOrParentStyle() {
        assertThat(AddressLookup.accessKeys("user+foo@mail.example.com", "+", false)).containsExactly(
                "user+foo@mail.example.com", "user@mail.example.com", "mail.example.com", ".example.com", ".com",
                "user+foo@", "user@");
        assertThat(AddressLookup.accessKeys("user@mail.example.com", "", true)).containsExactly(
                "user@mail.example.com", "mail.example.com", "example.com", "com", "user@");
    }

    @Test
    void transportOrderEndsWithTheWildcard() {
        assertThat(AddressLookup.transportKeys("u+x@a.example", "+", false))
                .containsExactly("u+x@a.example", "u@a.example", "a.example", ".example", "*");
    }

    @Test
    void clientOrderIsNameThenNetworks() {
        assertThat(AddressLookup.clientKeys("mx.example.com", "192.0.2.7", false)).containsExactly(
                "mx.example.com", ".example.com", ".com", "192.0.2.7", "192.0.2", "192.0", "192");
        assertThat(AddressLookup.clientKeys("unknown", "2001:db8::1", true))
                .containsExactly("2001:db8::1", "2001:db8:", "2001:db8", "2001");
    }

    @Test
    void partialKeysSkipPatternTablesAndEachKeyTriesAllTables() throws Exception {
        Table fixed = TableFactory.openUncached("inline:{@example.com=catchall, user=local}", config, true);
        Table pattern = TableFactory.openUncached("cidr:{{10.0.0.0/8 net}}", config, true);
        Maps maps = new Maps("virtual_alias_maps", List.of(pattern, fixed));
        Maps.Match m = AddressLookup.mailAddress(maps, "Other@Example.COM", "+", d -> false);
        assertThat(m.key()).isEqualTo("@Example.COM");
        assertThat(m.value()).isEqualTo("catchall");
        Maps clients = new Maps("check_client_access", List.of(pattern,
                TableFactory.openUncached("inline:{10.1=partial, .example.com=parent}", config, true)));
        assertThat(AddressLookup.client(clients, "unknown", "10.1.2.3", false).value()).isEqualTo("net");
        assertThat(AddressLookup.client(clients, "a.example.com", "192.0.2.1", false).value()).isEqualTo("parent");
        Maps onlyFixed = Maps.of(TableFactory.openUncached("inline:{10.1=partial}", config, true));
        assertThat(AddressLookup.client(onlyFixed, "unknown", "10.1.2.3", false).key()).isEqualTo("10.1");
        assertThat(AddressLookup.domain(onlyFixed, "nothing.example", true)).isNull();
    }

    @Test
    void mailAddressAsksExternalFormFirstAndReportsTheStrippedExtension() throws Exception {
        Map<String, String> entries = Map.of("\"a b\"@example.com", "quoted", "a b@example.com", "unquoted",
                "c d@example.com", "internal", "user@example.com", "bare");
        Table t = new Table() {
            @Override
            public String name() {
                return "test:entries";
            }

            @Override
            public String lookup(String key) {
                return entries.get(key);
            }
        };
        Maps maps = new Maps("virtual_alias_maps", List.of(t));
        assertThat(AddressLookup.mailAddress(maps, "a b@example.com", "+", d -> false).value()).isEqualTo("quoted");
        assertThat(AddressLookup.mailAddress(maps, "c d@example.com", "+", d -> false).value()).isEqualTo("internal");
        AddressLookup.MailMatch m = AddressLookup.mailAddress(maps, "user+x@example.com",
                new org.posthorn.address.AddressExtension("+", true, "double-bounce"), d -> false);
        assertThat(m.match().value()).isEqualTo("bare");
        assertThat(m.extension()).isEqualTo("+x");
    }

    @Test
    void transportWildcardIsAFullLookup() throws Exception {
        Table pattern = TableFactory.openUncached("regexp:{{/^\\*$/ smtp:[relay.example]}}", config, true);
        Maps maps = new Maps("transport_maps", List.of(pattern));
        assertThat(AddressLookup.transport(maps, "u@a.example", "+", false).key()).isEqualTo("*");
    }

    @Test
    void parentStyleComesFromTheConfiguration() {
        assertThat(AddressLookup.parentStyle(config, "smtpd_access_maps")).isTrue();
        assertThat(AddressLookup.parentStyle(config, "transport_maps")).isFalse();
    }
}
