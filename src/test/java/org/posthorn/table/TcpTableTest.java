package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** tcp_table(5)'s %XX encoding (Postfix's hex_quote / hex_unquote). */
class TcpTableTest {
    @Test
    void quotesPercentSpaceControlAndNonAscii() {
        assertThat(TcpTable.quote("user@example.com")).isEqualTo("user@example.com");
        assertThat(TcpTable.quote("a b%c\t\n")).isEqualTo("a%20b%25c%09%0A");
        assertThat(TcpTable.quote("é")).isEqualTo("%C3%A9");
    }

    @Test
    void unquotesAndRejectsMalformedEscapes() {
        assertThat(TcpTable.unquote("value%20for%20a%2Fb")).isEqualTo("value for a/b");
        assertThat(TcpTable.unquote("%c3%a9")).isEqualTo("é");
        assertThat(TcpTable.unquote("%zz")).isNull();
        assertThat(TcpTable.unquote("100%")).isNull();
        assertThat(TcpTable.unquote("1%2")).isNull();
    }
}
