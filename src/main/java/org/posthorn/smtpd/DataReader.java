package org.posthorn.smtpd;

import java.io.IOException;

/**
 * Reads DATA content up to the end-of-data line and removes dot-stuffing (RFC 5321
 * 4.5.2), applying smtpd_forbid_bare_newline: with {@code normalize} or {@code reject}
 * only {@code <CR><LF>.<CR><LF>} ends the content; with {@code no} any line holding a
 * single dot does, whatever its line ending (Postfix before 3.9, CVE-2023-51764).
 * Content always runs to the real end of data, even after a size or bare-newline error,
 * so that no message text is ever taken as commands.
 */
final class DataReader {
    private final SmtpInput input;
    private final LineBuffer line;
    private final int lineLimit;
    private final SmtpdSettings.BareNewline mode;
    private boolean bareNewline;

    DataReader(SmtpInput input, LineBuffer line, int lineLimit, SmtpdSettings.BareNewline mode) {
        this.input = input;
        this.line = line;
        this.lineLimit = lineLimit;
        this.mode = mode;
    }

    /** Whether a line ended in a bare LF (what {@code reject} mode refuses). */
    boolean sawBareNewline() {
        return bareNewline;
    }

    /** Copies content lines into the writer until end of data. */
    void copyTo(ContentWriter out) throws IOException {
        boolean lax = mode == SmtpdSettings.BareNewline.NO;
        SmtpInput.Ending previous = SmtpInput.Ending.CRLF;
        for (;;) {
            SmtpInput.Ending ending = input.readLine(line, lineLimit, lax);
            if (ending == SmtpInput.Ending.LF) bareNewline = true;
            int off = 0;
            int len = line.length();
            if (previous != SmtpInput.Ending.CUT && len > 0 && line.at(0) == '.') {
                if (len == 1 && ending != SmtpInput.Ending.CUT
                        && (lax || ending == SmtpInput.Ending.CRLF && previous == SmtpInput.Ending.CRLF)) {
                    return;
                }
                off = 1;
                len--;
            }
            out.record(line.array(), off, len, ending != SmtpInput.Ending.CUT);
            previous = ending;
        }
    }
}
