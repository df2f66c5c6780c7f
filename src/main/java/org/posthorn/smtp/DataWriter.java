package org.posthorn.smtp;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes message text in SMTP DATA form: CRLF line endings, a dot doubled at the start of a
 * line (RFC 5321 4.5.2), and lines longer than smtp_line_length_limit broken by inserting
 * CRLF and a space, as Postfix does to limit the damage to MIME-formatted mail (0 = no limit).
 * The ending ".CRLF" is written by {@link #finish}.
 */
final class DataWriter implements TextSink {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] FOLD = {'\r', '\n', ' '};

    private final OutputStream out;
    private final int lineLimit;
    private long column;

    DataWriter(OutputStream out, int lineLimit) {
        this.out = out;
        this.lineLimit = lineLimit;
    }

    @Override
    public void text(byte[] data, int off, int len, boolean lineEnd) throws IOException {
        int end = off + len;
        int i = off;
        while (i < end) {
            if (lineLimit > 0 && column >= lineLimit) {
                out.write(FOLD); // only when more text follows: a line of exactly the limit stays whole
                column = 1;
            }
            if (column == 0 && data[i] == '.') out.write('.');
            int n = lineLimit > 0 ? (int) Math.min(end - i, lineLimit - column) : end - i;
            out.write(data, i, n);
            column += n;
            i += n;
        }
        if (lineEnd) {
            out.write(CRLF);
            column = 0;
        }
    }

    /** Ends an unterminated last line and writes the end-of-data dot. */
    void finish() throws IOException {
        if (column > 0) out.write(CRLF);
        out.write(new byte[] {'.', '\r', '\n'});
        column = 0;
    }
}
