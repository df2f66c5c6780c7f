package org.posthorn.smtpd;

import org.posthorn.cleanup.CleanupException;

/**
 * Message content on its way to cleanup: counts the size as Postfix does (each line plus
 * two bytes for its CR LF), stops passing records on once the message is too big or the
 * sink failed (the client is still read to the end, so that the dialogue stays in step),
 * and turns raw BDAT bytes into line records of at most line_length_limit bytes.
 */
final class ContentWriter {
    /** Where records go: a cleanup submission, or nowhere when the transaction already failed. */
    interface Sink {
        void record(byte[] buffer, int offset, int length, boolean endOfLine) throws CleanupException;
    }

    private final Sink sink;
    private final long sizeLimit;
    private final LineBuffer partial;
    private long size;
    private boolean tooBig;
    private CleanupException failure;
    private boolean first = true;
    private boolean continuing;
    private boolean bareNewline;

    ContentWriter(Sink sink, long sizeLimit, int lineLimit) {
        this.sink = sink;
        this.sizeLimit = sizeLimit;
        this.partial = new LineBuffer(lineLimit);
    }

    /** Bytes of content seen so far, counted as Postfix reports them ("Ok: N bytes"). */
    long size() {
        return size;
    }

    boolean tooBig() {
        return tooBig;
    }

    /** Whether raw BDAT content had a line ended by LF without CR (smtpd_forbid_bare_newline = reject). */
    boolean sawBareNewline() {
        return bareNewline;
    }

    CleanupException failure() {
        return failure;
    }

    /** One line record, without its line end; {@code endOfLine} false when the line was cut at the limit. */
    void record(byte[] b, int off, int len, boolean endOfLine) {
        size += len + (endOfLine ? 2 : 0);
        if (sizeLimit > 0 && size > sizeLimit) tooBig = true;
        if (tooBig || failure != null) return;
        try {
            if (first && !continuing) {
                first = false;
                // As Postfix: content that starts with white space would continue our own
                // Received: header, so an empty line goes first (the content becomes body).
                if (len > 0 && (b[off] == ' ' || b[off] == '\t')) sink.record(b, off, 0, true);
            }
            sink.record(b, off, len, endOfLine);
        } catch (CleanupException e) {
            failure = e;
        }
        continuing = !endOfLine;
    }

    /**
     * Raw BDAT bytes, taken exactly as sent: lines end at LF, one CR before the LF is
     * dropped, lines longer than the limit are cut into continuation records.
     */
    void write(byte[] b, int off, int len) {
        int end = off + len;
        int start = off;
        for (int i = off; i < end; i++) {
            if (b[i] == '\n') {
                appendPartial(b, start, i - start);
                int n = partial.length();
                if (n > 0 && partial.last() == '\r') n--;
                else bareNewline = true;
                record(partial.array(), 0, n, true);
                partial.clear();
                start = i + 1;
            }
        }
        appendPartial(b, start, end - start);
    }

    /** Ends BDAT content: an unterminated last line becomes a complete line. */
    void finishBytes() {
        if (partial.length() > 0) {
            record(partial.array(), 0, partial.length(), true);
            partial.clear();
        }
    }

    private void appendPartial(byte[] b, int off, int len) {
        while (len > 0) {
            int room = partial.array().length - partial.length();
            if (room == 0) {
                // keep a trailing CR back: it may belong to the CR LF that follows
                boolean cr = partial.last() == '\r';
                record(partial.array(), 0, partial.length() - (cr ? 1 : 0), false);
                partial.clear();
                if (cr) partial.append(new byte[] {'\r'}, 0, 1);
                continue;
            }
            int n = Math.min(room, len);
            partial.append(b, off, n);
            off += n;
            len -= n;
        }
    }
}
