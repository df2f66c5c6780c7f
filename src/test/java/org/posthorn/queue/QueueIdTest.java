package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueueIdTest {
    @Test
    void shortFormIsFiveHexDigitsOfMicrosecondsThenTheInode() {
        assertThat(QueueId.shortForm(0x1C817, 0x20E713)).isEqualTo("1C81720E713");
        assertThat(QueueId.shortForm(5, 0xABC)).isEqualTo("00005ABC");
        QueueId id = QueueId.parse("1C81720E713").orElseThrow();
        assertThat(id.longForm()).isFalse();
        assertThat(id.microseconds()).isEqualTo(0x1C817);
        assertThat(id.inode()).isEqualTo(0x20E713);
        assertThat(id.hashKey()).isEqualTo("1C81720E713");
    }

    @Test
    void longFormIsBase52TimeZThenBase51Inode() {
        // seconds 1795808173, usec 116301, inode 0x20E713 (values of the reference file)
        String id = QueueId.longForm(1795808173L, 116301, 0x20E713);
        QueueId parsed = QueueId.parse(id).orElseThrow();
        assertThat(parsed.longForm()).isTrue();
        assertThat(parsed.seconds()).isEqualTo(1795808173L);
        assertThat(parsed.microseconds()).isEqualTo(116301);
        assertThat(parsed.inode()).isEqualTo(0x20E713);
        assertThat(id.indexOf('z')).isEqualTo(10);
        assertThat(id.substring(11)).doesNotContain("z");
        assertThat(id).matches("[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]+");
        // microseconds re-encoded as five hex digits: the same hashing as the short form
        assertThat(parsed.hashKey()).isEqualTo(String.format("%05X", 116301));
        // the documented example decodes sensibly
        QueueId example = QueueId.parse("3Pt2mN2VXxznjll").orElseThrow();
        assertThat(example.longForm()).isTrue();
        assertThat(QueueId.longForm(example.seconds(), example.microseconds(), example.inode())).isEqualTo("3Pt2mN2VXxznjll");
    }

    @Test
    void base52DigitsAreMostSignificantFirstAndPadded() {
        assertThat(QueueId.encode(0, 52, 4)).isEqualTo("0000");
        assertThat(QueueId.encode(51, 52, 4)).isEqualTo("000z");
        assertThat(QueueId.encode(52, 52, 4)).isEqualTo("0010");
        assertThat(QueueId.encode(50, 51, 0)).isEqualTo("y");
        assertThat(QueueId.encode(51, 51, 0)).isEqualTo("10");
        assertThat(QueueId.longForm(0, 0, 1)).isEqualTo("0000000000z1");
    }

    @Test
    void validationFollowsMailQueueIdOk() {
        assertThat(QueueId.isValid("1C81720E713")).isTrue();
        assertThat(QueueId.isValid("example_com")).isTrue();
        assertThat(QueueId.isValid("")).isFalse();
        assertThat(QueueId.isValid("../etc")).isFalse();
        assertThat(QueueId.isValid("123456.789")).isFalse();
        assertThat(QueueId.isValid("a".repeat(256))).isFalse();
        assertThat(QueueId.isValid("a".repeat(255))).isTrue();
        assertThat(QueueId.parse("example_com")).isEmpty();
        assertThat(QueueId.parse("1C817")).isEmpty();
        assertThat(QueueId.parse("1c81720e713")).isEmpty();
    }
}
