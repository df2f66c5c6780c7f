package org.posthorn.qmqpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NetstringTest {
    private static InputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A stream that hands out one byte per read, as a slow client's packets arrive. */
    private static InputStream trickle(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < b.length ? b[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] buf, int off, int len) {
                if (len == 0) return 0;
                int c = read();
                if (c < 0) return -1;
                buf[off] = (byte) c;
                return 1;
            }
        };
    }

    @Test
    void readsWholeAndSplitInput() throws Exception {
        assertThat(new String(Netstring.read(in("12:hello world!,"), 100), StandardCharsets.US_ASCII)).isEqualTo("hello world!");
        InputStream split = trickle("5:a,b:c,0:,");
        assertThat(new String(Netstring.read(split, 100), StandardCharsets.US_ASCII)).isEqualTo("a,b:c");
        assertThat(Netstring.read(split, 100)).isEmpty();
    }

    @Test
    void refusesOversizedBeforeReadingThePayload() {
        assertThatThrownBy(() -> Netstring.read(in("11:hello world,"), 10))
                .isInstanceOfSatisfying(NetstringException.class, e -> assertThat(e.kind).isEqualTo(NetstringException.Kind.SIZE));
        assertThatThrownBy(() -> Netstring.read(in("99999999999:x"), Long.MAX_VALUE))
                .isInstanceOfSatisfying(NetstringException.class, e -> assertThat(e.kind).isEqualTo(NetstringException.Kind.FORMAT));
    }

    @Test
    void malformedAndTruncated() {
        for (String bad : new String[]{":x,", "3x:abc,", "3:abc;", "-1:,", " 3:abc,"}) {
            assertThatThrownBy(() -> Netstring.read(in(bad), 100)).as(bad)
                    .isInstanceOfSatisfying(NetstringException.class, e -> assertThat(e.kind).isEqualTo(NetstringException.Kind.FORMAT));
        }
        for (String cut : new String[]{"", "3", "3:ab", "3:abc"}) {
            assertThatThrownBy(() -> Netstring.read(in(cut), 100)).as(cut)
                    .isInstanceOfSatisfying(NetstringException.class, e -> assertThat(e.kind).isEqualTo(NetstringException.Kind.EOF));
        }
    }

    @Test
    void encodes() {
        assertThat(new String(Netstring.encode("KOk".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII)).isEqualTo("3:KOk,");
    }
}
