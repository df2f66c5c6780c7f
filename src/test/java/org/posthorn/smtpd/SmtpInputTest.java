package org.posthorn.smtpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SmtpInputTest {
    private final LineBuffer line = new LineBuffer(64);

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 1000})
    void linesEndAtCrLfOrBareLfWhateverTheReadSizes(int piece) throws Exception {
        SmtpInput in = new SmtpInput(Bytes.split("EHLO a\r\nNOOP\nx\r\r\n\r\n", piece), 16, 16);
        assertThat(in.readLine(line, 64, false)).isEqualTo(SmtpInput.Ending.CRLF);
        assertThat(line.latin1()).isEqualTo("EHLO a");
        assertThat(in.readLine(line, 64, false)).isEqualTo(SmtpInput.Ending.LF);
        assertThat(line.latin1()).isEqualTo("NOOP");
        // only the CR right before LF goes, unless asked to strip them all (Postfix before 3.9)
        assertThat(in.readLine(line, 64, false)).isEqualTo(SmtpInput.Ending.CRLF);
        assertThat(line.latin1()).isEqualTo("x\r");
        assertThat(in.readLine(line, 64, false)).isEqualTo(SmtpInput.Ending.CRLF);
        assertThat(line.length()).isZero();
        assertThatThrownBy(() -> in.readLine(line, 64, false)).isInstanceOf(EOFException.class);
    }

    @Test
    void strippingAllCarriageReturnsIsTheLaxMode() throws Exception {
        SmtpInput in = new SmtpInput(Bytes.split(".\r\r\n", 1), 16, 16);
        assertThat(in.readLine(line, 64, true)).isEqualTo(SmtpInput.Ending.CRLF);
        assertThat(line.latin1()).isEqualTo(".");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 100})
    void anOverlongLineIsCutAtTheLimitAndTheRestCanBeSkipped(int piece) throws Exception {
        SmtpInput in = new SmtpInput(Bytes.split("0123456789abcdef\r\nNEXT\r\n", piece), 8, 8);
        assertThat(in.readLine(line, 10, false)).isEqualTo(SmtpInput.Ending.CUT);
        assertThat(line.latin1()).isEqualTo("0123456789");
        in.skipLine();
        assertThat(in.readLine(line, 10, false)).isEqualTo(SmtpInput.Ending.CRLF);
        assertThat(line.latin1()).isEqualTo("NEXT");
    }

    @Test
    void theCarriageReturnCountsTowardsTheLimitAsInPostfix() throws Exception {
        SmtpInput in = new SmtpInput(Bytes.split("012345678\r\n0123456789\r\n", 3), 8, 8);
        assertThat(in.readLine(line, 10, false)).isEqualTo(SmtpInput.Ending.CRLF);
        assertThat(line.latin1()).isEqualTo("012345678");
        assertThat(in.readLine(line, 10, false)).isEqualTo(SmtpInput.Ending.CUT);
        assertThat(line.latin1()).isEqualTo("0123456789");
        assertThat(in.readLine(line, 10, false)).isEqualTo(SmtpInput.Ending.CRLF);
        assertThat(line.length()).isZero();
    }

    @Test
    void chunkReadsTakeBytesAsTheyAre() throws Exception {
        SmtpInput in = new SmtpInput(Bytes.split("BDAT 4\r\na\nb\rQUIT\r\n", 2), 8, 8);
        in.readLine(line, 64, false);
        byte[] chunk = new byte[4];
        int got = 0;
        while (got < 4) got += in.read(chunk, got, 4 - got);
        assertThat(new String(chunk, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("a\nb\r");
        in.readLine(line, 64, false);
        assertThat(line.latin1()).isEqualTo("QUIT");
    }

    @Test
    void theFlushHookRunsBeforeBlocking() throws Exception {
        int[] flushes = {0};
        SmtpInput in = new SmtpInput(Bytes.split("A\r\nB\r\n", 3), 8, 8);
        in.beforeBlock(() -> flushes[0]++);
        in.readLine(line, 64, false);
        assertThat(flushes[0]).isEqualTo(1);
        in.readLine(line, 64, false);
        assertThat(flushes[0]).isEqualTo(2);
    }

    @Test
    void theBufferGrowsWhileReadsFillItAndStaysBounded() throws Exception {
        java.util.List<Integer> asked = new java.util.ArrayList<>();
        java.io.InputStream source = Bytes.split(("x".repeat(50) + "\r\n").repeat(4), 1000);
        java.io.InputStream recording = new java.io.InputStream() {
            @Override
            public int read() throws java.io.IOException {
                return source.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                asked.add(len);
                return source.read(b, off, len);
            }
        };
        SmtpInput in = new SmtpInput(recording, 8, 32);
        for (int i = 0; i < 4; i++) {
            in.readLine(line, 64, false);
            assertThat(line.length()).isEqualTo(50);
        }
        assertThat(asked).startsWith(8, 16, 32, 32);
        assertThat(asked).allMatch(n -> n <= 32);
    }
}
