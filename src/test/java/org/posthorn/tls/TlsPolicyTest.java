package org.posthorn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.posthorn.table.Maps;
import org.posthorn.table.Table;
import org.posthorn.tls.TlsPolicy.Level;

class TlsPolicyTest {
    private final List<String> warnings = new ArrayList<>();

    private TlsPolicy parse(String value) throws TlsPolicy.Invalid {
        return TlsPolicy.parse(value, warnings::add);
    }

    @Test
    void levelsAndTheirOrder() {
        assertThat(Level.of("DANE-only")).isEqualTo(Level.DANE_ONLY);
        assertThat(Level.of("must")).isNull();
        assertThat(Level.MAY.mandatory()).isFalse();
        assertThat(Level.ENCRYPT.mandatory()).isTrue();
        assertThat(Level.ENCRYPT.mustMatch()).isFalse();
        assertThat(Level.FINGERPRINT.mustMatch()).isTrue();
        assertThat(Level.SECURE.atLeast(Level.VERIFY)).isTrue();
    }

    @Test
    void attributes() throws Exception {
        TlsPolicy p = parse("secure match=nexthop:dot-nexthop, match=mx.example.com protocols=!SSLv2:!SSLv3 ciphers=high exclude=3DES");
        assertThat(p.level()).isEqualTo(Level.SECURE);
        assertThat(p.match()).containsExactly("nexthop", "dot-nexthop", "mx.example.com");
        assertThat(p.protocols()).isEqualTo("!SSLv2:!SSLv3");
        assertThat(p.ciphers()).isEqualTo("high");
        assertThat(p.exclude()).isEqualTo("3DES");
        // fingerprints contain ':' and are separated by '|'
        TlsPolicy f = parse("fingerprint match=AB:CD|EF:01");
        assertThat(f.match()).containsExactly("AB:CD", "EF:01");
        assertThat(parse("MAY").level()).isEqualTo(Level.MAY);
    }

    @Test
    void attributesAtLevelNoneAreIgnoredWithAWarning() throws Exception {
        assertThat(parse("none ciphers=high").level()).isEqualTo(Level.NONE);
        assertThat(warnings).containsExactly("ignoring attribute \"ciphers=high\" with TLS disabled");
    }

    @Test
    void errorsAsPostfixWordsThem() {
        assertThatThrownBy(() -> parse(" ")).hasMessage("invalid empty policy");
        assertThatThrownBy(() -> parse("must")).hasMessage("invalid security level \"must\"");
        assertThatThrownBy(() -> parse("encrypt match=x")).hasMessage("attribute \"match\" invalid at security level \"encrypt\"");
        assertThatThrownBy(() -> parse("verify match=")).hasMessage("attribute \"match\" has empty value");
        assertThatThrownBy(() -> parse("verify ciphers=high ciphers=low")).hasMessage("attribute \"ciphers\" is specified multiple times");
        assertThatThrownBy(() -> parse("verify tafile")).hasMessageStartingWith("malformed attribute/value pair \"tafile\"");
        assertThatThrownBy(() -> parse("verify foo=bar")).hasMessage("invalid attribute name: \"foo\"");
    }

    @Test
    void mapsTryTheDestinationThenParentDomains() throws Exception {
        Map<String, String> entries = Map.of(
                "example.com", "encrypt",
                ".example.net", "verify match=nexthop",
                "[mx.example.org]:587", "secure",
                "bad.example", "verify match");
        Table t = new Table() {
            @Override
            public String name() {
                return "test:policy";
            }

            @Override
            public String lookup(String key) {
                return entries.get(key);
            }
        };
        TlsPolicyMaps maps = new TlsPolicyMaps(new Maps("smtp_tls_policy_maps", List.of(t)), warnings::add);
        assertThat(maps.lookup("example.com").level()).isEqualTo(Level.ENCRYPT);
        assertThat(maps.lookup("Example.COM").level()).isEqualTo(Level.ENCRYPT);
        // a parent domain entry with a leading dot covers subdomains, not the domain itself
        assertThat(maps.lookup("mail.sub.example.net").level()).isEqualTo(Level.VERIFY);
        assertThat(maps.lookup("example.net")).isNull();
        // bracketed and port-qualified destinations match only themselves
        assertThat(maps.lookup("[mx.example.org]:587").level()).isEqualTo(Level.SECURE);
        assertThat(maps.lookup("[mx.example.org]")).isNull();
        assertThat(maps.lookup("sub.example.com")).isNull();
        assertThatThrownBy(() -> maps.lookup("bad.example")).isInstanceOf(TlsPolicy.Invalid.class);
        assertThat(warnings).contains("smtp_tls_policy_maps, next-hop destination \"bad.example\": "
                + "malformed attribute/value pair \"match\": missing '=' after attribute name");
    }
}
