package org.posthorn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressListTest {
    @Test
    void addressListForms() {
        assertThat(AddressList.parse("a@x, \"B, Jr\" <b@y>, c@z (Carl, C), Group: d@w, e@v;, <@r1,@r2:f@u>"))
                .containsExactly("a@x", "b@y", "c@z", "d@w", "e@v", "@r1,@r2:f@u");
        assertThat(AddressList.parse("\"john doe\"@example.com")).containsExactly("john doe@example.com");
        assertThat(AddressList.parse("undisclosed-recipients:;")).isEmpty();
        assertThat(AddressList.parse("  ")).isEmpty();
    }

    @Test
    void senders() {
        assertThat(AddressList.sender("<a@b>")).isEqualTo("a@b");
        assertThat(AddressList.sender("<>")).isEmpty();
        assertThat(AddressList.sender("")).isEmpty();
        assertThat(AddressList.sender("plain@x")).isEqualTo("plain@x");
    }
}
