package org.posthorn.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContentWriterTest {
    private static ContentWriter bdat(Bytes.Records out, String data, int piece, long sizeLimit, int lineLimit) {
        ContentWriter w = new ContentWriter(out, sizeLimit, lineLimit);
        byte[] b = Bytes.latin1(data);
        for (int i = 0; i < b.length; i += piece) w.write(b, i, Math.min(piece, b.length - i));
        w.finishBytes();
        return w;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 100})
    void bdatBytesAreSplitIntoLinesWithoutReinterpretingDots(int piece) {
        Bytes.Records out = new Bytes.Records();
        ContentWriter w = bdat(out, "ab\n.\ncd\r\n", piece, 0, 100);
        assertThat(out.toString()).isEqualTo("ab|.|cd|");
        // Postfix's count for the same chunk: "Ok: 11 bytes" (each line plus CR LF)
        assertThat(w.size()).isEqualTo(11);
        assertThat(w.sawBareNewline()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7})
    void longBdatLinesAreCutKeepingACarriageReturnWithItsLineFeed(int piece) {
        Bytes.Records out = new Bytes.Records();
        // the CR counts towards the limit (as in Postfix): a full line ends with an empty record
        ContentWriter w = bdat(out, "0123\r\n01234\r\n0123456789ab\r\nx", piece, 0, 5);
        assertThat(out.toString()).isEqualTo("0123|01234+|01234+56789+ab|x|");
        assertThat(w.size()).isEqualTo(6 + 7 + 14 + 3);
        assertThat(w.sawBareNewline()).isFalse();
    }

    @Test
    void contentPastTheSizeLimitIsCountedButNotPassedOn() {
        Bytes.Records out = new Bytes.Records();
        ContentWriter w = bdat(out, "aaaa\r\nbbbb\r\ncccc\r\n", 6, 10, 100);
        assertThat(w.tooBig()).isTrue();
        assertThat(w.size()).isEqualTo(18);
        assertThat(out.toString()).isEqualTo("aaaa|");
    }

    @Test
    void contentStartingWithWhiteSpaceGetsAnEmptyLineFirst() {
        Bytes.Records out = new Bytes.Records();
        ContentWriter w = new ContentWriter(out, 0, 100);
        w.record(Bytes.latin1(" folded"), 0, 7, true);
        assertThat(out.toString()).isEqualTo("| folded|");
    }

    @Test
    void aFailingSinkIsRememberedAndTheRestIsDropped() {
        int[] calls = {0};
        ContentWriter w = new ContentWriter((b, o, l, e) -> {
            calls[0]++;
            throw new org.posthorn.cleanup.CleanupException("disk full");
        }, 0, 100);
        w.record(Bytes.latin1("a"), 0, 1, true);
        w.record(Bytes.latin1("b"), 0, 1, true);
        assertThat(w.failure()).hasMessage("disk full");
        assertThat(calls[0]).isEqualTo(1);
    }
}
