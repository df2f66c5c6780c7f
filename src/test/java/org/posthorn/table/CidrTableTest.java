package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTableTest {
    private final List<String> warnings = new ArrayList<>();

    private CidrTable table(String text) throws Exception {
        List<SourceLines.Line> lines = SourceLines.read(new BufferedReader(new StringReader(text)), "f", warnings::add);
        return CidrTable.parse("cidr:f", "f", lines, warnings::add);
    }

    @Test
    void firstMatchingNetworkWinsAtItsBoundaries() throws Exception {
        CidrTable t = table("192.168.1.1 exact\n192.168.0.0/16 net16\n10.0.0.0/8 ten\n0.0.0.0/0 any4\n"
                + "2001:db8::1 v6exact\n2001:DB8::/32 v6net\n::/0 any6\n");
        assertThat(t.lookup("192.168.1.1")).isEqualTo("exact");
        assertThat(t.lookup("192.168.1.2")).isEqualTo("net16");
        assertThat(t.lookup("192.168.255.255")).isEqualTo("net16");
        assertThat(t.lookup("192.169.0.0")).isEqualTo("any4");
        assertThat(t.lookup("10.255.255.255")).isEqualTo("ten");
        assertThat(t.lookup("11.0.0.0")).isEqualTo("any4");
        assertThat(t.lookup("2001:0DB8:0::1")).isEqualTo("v6exact");
        assertThat(t.lookup("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")).isEqualTo("v6net");
        assertThat(t.lookup("2001:db9::")).isEqualTo("any6");
        assertThat(t.lookup("[192.168.1.1]")).isNull();
        assertThat(t.lookup("host.example")).isNull();
        assertThat(t.fixedKeys()).isFalse();
        assertThat(warnings).isEmpty();
    }

    @Test
    void oddPrefixLengthsCompareOnlyTheirBits() throws Exception {
        CidrTable t = table("100.64.0.0/10 cgn\n2001:db8:8000::/33 upper\n");
        assertThat(t.lookup("100.127.255.255")).isEqualTo("cgn");
        assertThat(t.lookup("100.128.0.0")).isNull();
        assertThat(t.lookup("100.63.255.255")).isNull();
        assertThat(t.lookup("2001:db8:8000::1")).isEqualTo("upper");
        assertThat(t.lookup("2001:db8:7fff::1")).isNull();
    }

    @Test
    void negationAndIfBlocksNestAndNeverCrossAddressFamilies() throws Exception {
        CidrTable t = table("if 10.0.0.0/8\nif !10.1.0.0/16\n10.2.0.0/16 two\nendif\n10.0.0.0/8 ten\nendif\n"
                + "!!1.1.1.1 double\n! 172.16.0.0/12 notprivate\n");
        assertThat(t.lookup("10.2.3.4")).isEqualTo("two");
        assertThat(t.lookup("10.1.3.4")).isEqualTo("ten");
        assertThat(t.lookup("1.1.1.1")).isEqualTo("double");
        assertThat(t.lookup("8.8.8.8")).isEqualTo("notprivate");
        assertThat(t.lookup("172.16.0.1")).isNull();
        assertThat(t.lookup("::1")).isNull();
    }

    @Test
    void badRulesAreSkippedWithPostfixWarnings() throws Exception {
        table("endif\n1.2.3.4\nif\nif 1.2.3.0/24 extra\n1.2.3.4/ slash\n/8 nonet\n1.2.3.4/08 x\n"
                + "192.168.1.1/24 x\n300.1.1.1 x\n1.2.3.4/33 x\nfe80::1%eth0 x\n2001:db8::1/64 x\nif 1.0.0.0/8\n");
        assertThat(warnings).containsExactly(
                "cidr map f, line 1: ENDIF without IF: skipping this rule",
                "cidr map f, line 2: no lookup result: skipping this rule",
                "cidr map f, line 3: no address pattern: skipping this rule",
                "cidr map f, line 4: bad mask value in \"1.2.3.0/24 extra\": skipping this rule",
                "cidr map f, line 5: bad mask value in \"1.2.3.4/\": skipping this rule",
                "cidr map f, line 6: bad network value in \"/8\": skipping this rule",
                "cidr map f, line 7: non-null host address bits in \"1.2.3.4/08\", perhaps you should use \"1.0.0.0/8\" instead: skipping this rule",
                "cidr map f, line 8: non-null host address bits in \"192.168.1.1/24\", perhaps you should use \"192.168.1.0/24\" instead: skipping this rule",
                "cidr map f, line 9: bad address pattern: \"300.1.1.1\": skipping this rule",
                "cidr map f, line 10: bad mask length in \"1.2.3.4/33\": skipping this rule",
                "cidr map f, line 11: bad address pattern: \"fe80::1%eth0\": skipping this rule",
                "cidr map f, line 12: non-null host address bits in \"2001:db8::1/64\", perhaps you should use \"2001:db8::/64\" instead: skipping this rule",
                "cidr map f, line 13: IF has no matching ENDIF");
    }
}
