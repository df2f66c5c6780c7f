package org.posthorn.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DataWriterTest {
    private static String write(int limit, Object... pieces) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataWriter w = new DataWriter(out, limit);
        for (int i = 0; i < pieces.length; i += 2) {
            byte[] b = ((String) pieces[i]).getBytes(StandardCharsets.UTF_8);
            w.text(b, 0, b.length, (Boolean) pieces[i + 1]);
        }
        w.finish();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dotStuffingAtLineStartOnly() throws IOException {
        assertThat(write(998, ".", true, "..x", true, "a.b", true, ".", false, "y", true))
                .isEqualTo("..\r\n...x\r\na.b\r\n..y\r\n.\r\n");
    }

    @Test
    void continuedRecordsAreOneLine() throws IOException {
        assertThat(write(998, "abc", false, ".def", true)).isEqualTo("abc.def\r\n.\r\n");
    }

    @Test
    void longLinesAreFoldedWithCrLfSpace() throws IOException {
        String line = "x".repeat(25);
        assertThat(write(10, line, true)).isEqualTo("xxxxxxxxxx\r\n xxxxxxxxx\r\n xxxxxx\r\n.\r\n");
    }

    @Test
    void aLineOfExactlyTheLimitStaysWholeAcrossRecords() throws IOException {
        assertThat(write(10, "xxxxx", false, "xxxxx", false, "", true)).isEqualTo("xxxxxxxxxx\r\n.\r\n");
        assertThat(write(10, "xxxxxxxxxx", false, "y", true)).isEqualTo("xxxxxxxxxx\r\n y\r\n.\r\n");
    }

    @Test
    void foldedContinuationStartingWithDotIsNotStuffed() throws IOException {
        // the continuation starts with a space, so a dot after it needs no stuffing
        assertThat(write(3, "abc.de", true)).isEqualTo("abc\r\n .d\r\n e\r\n.\r\n");
    }

    @Test
    void unterminatedLastLineIsEnded() throws IOException {
        assertThat(write(998, "abc", false)).isEqualTo("abc\r\n.\r\n");
        assertThat(write(998)).isEqualTo(".\r\n");
    }

    @Test
    void zeroLimitMeansNoFolding() throws IOException {
        String line = "y".repeat(5000);
        assertThat(write(0, line, true)).isEqualTo(line + "\r\n.\r\n");
    }
}
