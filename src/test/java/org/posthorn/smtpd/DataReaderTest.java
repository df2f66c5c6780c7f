package org.posthorn.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DataReaderTest {
    private static final SmtpdSettings.BareNewline NO = SmtpdSettings.BareNewline.NO;
    private static final SmtpdSettings.BareNewline NORMALIZE = SmtpdSettings.BareNewline.NORMALIZE;

    /** Reads DATA content from the text; returns the records and what follows the end of data. */
    private static String[] read(String wire, SmtpdSettings.BareNewline mode, int lineLimit, int piece)
            throws Exception {
        SmtpInput in = new SmtpInput(Bytes.split(wire, piece), 16, 16);
        LineBuffer line = new LineBuffer(Math.max(lineLimit, 512));
        DataReader reader = new DataReader(in, line, lineLimit, mode);
        Bytes.Records records = new Bytes.Records();
        reader.copyTo(new ContentWriter(records, 0, lineLimit));
        String rest;
        try {
            in.readLine(line, 512, false);
            rest = line.latin1();
        } catch (EOFException e) {
            rest = "<EOF>";
        }
        return new String[] {records.toString(), rest, String.valueOf(reader.sawBareNewline())};
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 1000})
    void dotStuffingIsRemovedAndCrLfDotCrLfEndsTheContent(int piece) throws Exception {
        String[] r = read("Subject: x\r\n\r\n..dot\r\n.x\r\n...\r\n.\r\nQUIT\r\n", NORMALIZE, 2048, piece);
        assertThat(r[0]).isEqualTo("Subject: x||.dot|x|..|");
        assertThat(r[1]).isEqualTo("QUIT");
        assertThat(r[2]).isEqualTo("false");
    }

    /** The SEC Consult list of non-standard end-of-data sequences: none of them ends the content. */
    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\n.\r\n", "\r.\n", "\r.\r\n", "\r\n.\n", "\n.\r", "\r.\r", "\r\n\u0000.\r\n",
            "\r\n.\r\r\n", "\r\r\n.\r\r\n"})
    void noSmugglingSequenceEndsDataWhenNormalizing(String variant) throws Exception {
        String[] r = read("a" + variant + "MAIL FROM:<x@y>\r\n.\r\nNEXT\r\n", NORMALIZE, 2048, 3);
        assertThat(r[1]).isEqualTo("NEXT");
        assertThat(r[0]).contains("MAIL FROM:<x@y>|");
    }

    /** Postfix 3.7.11 with smtpd_forbid_bare_newline = no (see the smuggle-default-* dialogues). */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "\\n.\\n;true", "\\n.\\r\\n;true", "\\r\\n.\\n;true", "\\r\\n.\\r\\r\\n;true", "\\r\\r\\n.\\r\\r\\n;true",
        "\\r.\\n;false", "\\r.\\r\\n;false", "\\n.\\r;false", "\\r.\\r;false", "\\r\\n\\u0000.\\r\\n;false"})
    void theLaxModeEndsDataWhereOldPostfixDid(String variant, boolean ends) throws Exception {
        String v = variant.replace("\\n", "\n").replace("\\r", "\r").replace("\\u0000", "\u0000");
        String[] r = read("a" + v + "MAIL FROM:<x@y>\r\n.\r\nNEXT\r\n", NO, 2048, 2);
        assertThat(r[1]).isEqualTo(ends ? "MAIL FROM:<x@y>" : "NEXT");
    }

    @Test
    void bareLineFeedsAreNotedForTheRejectMode() throws Exception {
        String[] r = read("a\nb\r\n.\r\n", NORMALIZE, 2048, 5);
        assertThat(r[0]).isEqualTo("a|b|");
        assertThat(r[2]).isEqualTo("true");
    }

    @Test
    void longLinesBecomeContinuationRecordsAndADotInsideIsNotUnstuffed() throws Exception {
        String[] r = read("0123456789.bcdef\r\n.\r\n", NORMALIZE, 10, 4);
        assertThat(r[0]).isEqualTo("0123456789+.bcdef|");
        // a line that is exactly a dot after a cut is content, not the end
        r = read("0123456789.\r\n.\r\n", NORMALIZE, 10, 4);
        assertThat(r[0]).isEqualTo("0123456789+.|");
    }

    @Test
    void aClientThatHangsUpInsideDataIsAnEndOfFile() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> read("Subject: x\r\nbody", NORMALIZE, 2048, 3))
                .isInstanceOf(EOFException.class);
    }
}
