package org.posthorn.address;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressListTest {
    /** Appends @origin.example to bare names, like trivial-rewrite in the local context. */
    private static String complete(String external) {
        return external.isEmpty() || external.contains("@") ? external : external + "@origin.example";
    }

    private static String rewritten(String value) {
        return AddressList.parse(value).mapAddresses(AddressListTest::complete).toHeaderValue(false);
    }

    @Test
    void findsAddressesInsideAnglesAndBare() {
        assertThat(AddressList.parse("Joe User <joe@x>, bare@y").addresses()).containsExactly("joe@x", "bare@y");
        assertThat(AddressList.parse("\"a b\" <x@y>").addresses()).containsExactly("x@y");
    }

    @Test
    void missingCommasAreAdded() {
        assertThat(AddressList.parse("a@b c@d").addresses()).containsExactly("a@b", "c@d");
        assertThat(rewritten("first last@z")).isEqualTo("first@origin.example, last@z");
    }

    @Test
    void phrasesCommentsAndGroupsSurviveRewriting() {
        assertThat(rewritten("Joe User <joe>, bare")).isEqualTo("Joe User <joe@origin.example>, bare@origin.example");
        assertThat(rewritten("(c1) u (c2)")).as("comments move after the address").isEqualTo("u@origin.example (c1) (c2)");
        assertThat(rewritten("grp: m1, m2@d;")).isEqualTo("grp: m1@origin.example, m2@d;");
        assertThat(rewritten("<>")).as("null address left alone").isEqualTo("<>");
    }

    @Test
    void unchangedHeadersAreKeptAsWritten() {
        assertThat(AddressList.rewriteHeaderValue("undisclosed-recipients:;", AddressListTest::complete, false))
                .isEqualTo("undisclosed-recipients:;");
        assertThat(AddressList.rewriteHeaderValue("a@b ,c@d", AddressListTest::complete, false)).isEqualTo("a@b ,c@d");
        assertThat(AddressList.rewriteHeaderValue("a@b ,c", AddressListTest::complete, false))
                .isEqualTo("a@b, c@origin.example");
    }

    @Test
    void lineBreaksAfterCommasOnRequest() {
        assertThat(AddressList.parse("a@b, c@d").toHeaderValue(true)).isEqualTo("a@b,\nc@d");
    }

    @Test
    void parsedAddressesKeepTheirQuoting() {
        assertThat(AddressList.parse("\"quoted\"@h").addresses()).containsExactly("quoted@h");
        assertThat(AddressList.parse("\"a b\"@h").addresses()).containsExactly("\"a b\"@h");
        assertThat(AddressList.parse("").elements()).isEmpty();
    }
}
