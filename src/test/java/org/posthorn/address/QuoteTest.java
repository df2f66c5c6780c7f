package org.posthorn.address;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuoteTest {
    @Test
    void dotStringsStayUnquoted() {
        assertThat(Quote.quoteLocal("user.name+tag@example.com")).isEqualTo("user.name+tag@example.com");
        assertThat(Quote.quoteLocal("a%b!c@example.com")).isEqualTo("a%b!c@example.com");
    }

    @Test
    void otherLocalPartsBecomeQuotedStrings() {
        assertThat(Quote.quoteLocal("first last@example.com")).isEqualTo("\"first last\"@example.com");
        assertThat(Quote.quoteLocal("a@b@example.com")).isEqualTo("\"a@b\"@example.com");
        assertThat(Quote.quoteLocal(".user@x")).isEqualTo("\".user\"@x");
        assertThat(Quote.quoteLocal("user.@x")).isEqualTo("\"user.\"@x");
        assertThat(Quote.quoteLocal("a..b@x")).isEqualTo("\"a..b\"@x");
        assertThat(Quote.quoteLocal("a\"b@x")).isEqualTo("\"a\\\"b\"@x");
        assertThat(Quote.quoteLocal("a\\b@x")).isEqualTo("\"a\\\\b\"@x");
        assertThat(Quote.quoteLocal("@x")).isEqualTo("\"\"@x");
        assertThat(Quote.quoteLocal("")).isEqualTo("\"\"");
    }

    @Test
    void eightBitTextIsOrdinaryUnlessAskedOtherwise() {
        assertThat(Quote.quoteLocal("üser@x")).isEqualTo("üser@x");
        assertThat(Quote.quoteLocal("üser@x", false)).isEqualTo("\"\\üser\"@x");
    }

    @Test
    void sourceRouteIsKeptOutsideTheQuotes() {
        assertThat(Quote.quoteLocal("@a,@b:first last@x")).isEqualTo("@a,@b:\"first last\"@x");
    }

    @Test
    void bareLocalPartMayContainAt() {
        assertThat(Quote.quoteBareLocalPart("a@b")).isEqualTo("\"a@b\"");
        assertThat(Quote.quoteBareLocalPart("ab")).isEqualTo("ab");
    }

    @Test
    void unquoteRemovesQuotesAndBackslashesFromTheLocalPartOnly() {
        assertThat(Quote.unquoteLocal("\"first last\"@example.com")).isEqualTo("first last@example.com");
        assertThat(Quote.unquoteLocal("\"a@b\"@x")).isEqualTo("a@b@x");
        assertThat(Quote.unquoteLocal("a\\\"b@x")).isEqualTo("a\"b@x");
        assertThat(Quote.unquoteLocal("u@[\"x\"]")).isEqualTo("u@[\"x\"]");
        assertThat(Quote.unquoteLocal("@a:\"b c\"@d")).isEqualTo("@a:b c@d");
        assertThat(Quote.unquoteLocal("plain")).isEqualTo("plain");
    }

    @Test
    void quoteAndUnquoteRoundTrip() {
        for (String s : new String[] {"a b@x", "a@b@x", "\"q\"@x", "a\\b@x", "x@y", "", "-dash@x"}) {
            assertThat(Quote.unquoteLocal(Quote.quoteLocal(s))).as(s).isEqualTo(s);
        }
    }
}
