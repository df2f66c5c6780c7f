package org.posthorn.address;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressTest {
    @Test
    void splitsAtTheLastAt() {
        Address a = Address.parse("a@b@example.com");
        assertThat(a.localPart()).isEqualTo("a@b");
        assertThat(a.domain()).isEqualTo("example.com");
        assertThat(a.external()).isEqualTo("\"a@b\"@example.com");
    }

    @Test
    void fromExternalForm() {
        Address a = Address.fromExternal("\"first last\"@Example.COM");
        assertThat(a.localPart()).isEqualTo("first last");
        assertThat(a.domainLowerCase()).isEqualTo("example.com");
        assertThat(a.internal()).isEqualTo("first last@Example.COM");
    }

    @Test
    void nullAndBareAddresses() {
        assertThat(Address.parse("").isNull()).isTrue();
        assertThat(Address.NULL.external()).isEqualTo("\"\"");
        Address bare = Address.parse("user");
        assertThat(bare.domain()).isNull();
        assertThat(bare.isNull()).isFalse();
        assertThat(bare.external()).isEqualTo("user");
    }

    @Test
    void addressLiterals() {
        assertThat(Address.parse("u@[192.0.2.1]").hasAddressLiteral()).isTrue();
        assertThat(Address.parse("u@example.com").hasAddressLiteral()).isFalse();
    }
}
