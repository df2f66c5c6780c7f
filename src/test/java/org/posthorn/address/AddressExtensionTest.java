package org.posthorn.address;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressExtensionTest {
    private final AddressExtension plus = new AddressExtension("+", true, "double-bounce");
    private final AddressExtension plusMinus = new AddressExtension("+-", true, "double-bounce");

    @Test
    void stripsAtTheFirstDelimiter() {
        assertThat(plus.strip("user+foo+bar@example.com")).isEqualTo("user@example.com");
        assertThat(plus.extension("user+foo+bar@example.com")).isEqualTo("+foo+bar");
        assertThat(plusMinus.strip("user-foo+bar")).isEqualTo("user");
    }

    @Test
    void leavesAddressesWithoutExtensionAlone() {
        assertThat(plus.strip("user@example.com")).isNull();
        assertThat(plus.strip("+foo@example.com")).as("empty base").isNull();
        assertThat(plus.strip("user+@example.com")).isEqualTo("user@example.com");
        assertThat(new AddressExtension("", true, "double-bounce").strip("user+foo@x")).isNull();
    }

    @Test
    void reservedNamesAreNeverSplit() {
        assertThat(plus.strip("postmaster@x")).isNull();
        assertThat(plus.strip("MAILER-DAEMON@x")).isNull();
        assertThat(plusMinus.strip("double-bounce@x")).isNull();
    }

    @Test
    void ownerAndRequestAreSpecialWithDash() {
        assertThat(plusMinus.strip("owner-list@x")).isNull();
        assertThat(plusMinus.strip("list-request@x")).isNull();
        assertThat(new AddressExtension("-", false, "double-bounce").strip("owner-list@x")).isEqualTo("owner@x");
        assertThat(plus.strip("owner-list+x@x")).isEqualTo("owner-list@x");
    }
}
