package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {
    @ParameterizedTest
    @CsvSource({
        "1.2.3.4, 1.2.3.4",
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
        "::, ::",
        "::1, ::1",
        "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
        "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "1:0:2:3:4:5:6:7, 1:0:2:3:4:5:6:7",
        "::ffff:1.2.3.4, ::ffff:1.2.3.4",
        "::1.2.3.4, ::1.2.3.4",
        "fe80::, fe80::",
        "2001:db8::0001, 2001:db8::1",
    })
    void parsesAndFormatsAsInetNtop(String in, String out) {
        assertThat(IpAddress.format(IpAddress.parse(in))).isEqualTo(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.1.1.1", "1..2.3", "1.2.3.4 ", "a.b.c.d",
        "1::2::3", ":1::2", "1:2:3:4:5:6:7:8:9", "12345::", "fe80::1%eth0", "1:2:3:4:5:6:7", "::1.2.3", "1:", "[1.2.3.4]"})
    void rejectsWhatInetPtonRejects(String in) {
        assertThat(IpAddress.parse(in)).isNull();
    }
}
