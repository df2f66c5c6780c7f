package org.posthorn.queue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes Postfix records (record.c): one type byte, the payload length in 7-bit groups
 * with the low group first and the high bit meaning "more follows", then the payload.
 * Keeps the file position so callers can note offsets (recipient handles, the data
 * offset). Text lines longer than the line limit become continuation records ({@code L})
 * of exactly the limit followed by one normal record ({@code N}) with the rest, as
 * Postfix's cleanup does with line_length_limit.
 */
public final class RecordWriter {
    private final OutputStream out;
    private long position;

    /** A writer onto out, whose next byte lands at file offset position. */
    public RecordWriter(OutputStream out, long position) {
        this.out = out;
        this.position = position;
    }

    /** The file offset of the next record. */
    public long position() {
        return position;
    }

    /** Writes one record and returns its offset. */
    public long write(int code, byte[] data, int off, int len) throws IOException {
        if (code < 0 || code > 255) throw new IllegalArgumentException("bad record type " + code);
        long at = position;
        out.write(code);
        int rest = len;
        int lengthBytes = 0;
        do {
            int b = rest & 0x7f;
            rest >>>= 7;
            if (rest != 0) b |= 0x80;
            out.write(b);
            lengthBytes++;
        } while (rest != 0);
        out.write(data, off, len);
        position += 1 + lengthBytes + len;
        return at;
    }

    public long write(RecordType type, byte[] data) throws IOException {
        return write(type.code(), data, 0, data.length);
    }

    /** Writes a record with text payload, encoded as UTF-8. */
    public long write(RecordType type, String text) throws IOException {
        return write(type, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes one content line (without its line terminator) as {@code L} records of
     * lineLimit bytes while more than lineLimit bytes remain, then an {@code N} record.
     * Returns the offset of the first record.
     */
    public long writeLine(byte[] line, int off, int len, int lineLimit) throws IOException {
        return writeText(RecordType.NORM, line, off, len, lineLimit);
    }

    /**
     * Writes text as records of the given final type ({@code N} for a complete line,
     * {@code L} for a fragment whose line goes on), splitting at lineLimit.
     */
    public long writeText(RecordType last, byte[] text, int off, int len, int lineLimit) throws IOException {
        if (lineLimit <= 0) throw new IllegalArgumentException("bad line length limit " + lineLimit);
        long first = position;
        while (len > lineLimit) {
            write(RecordType.CONT.code(), text, off, lineLimit);
            off += lineLimit;
            len -= lineLimit;
        }
        write(last.code(), text, off, len);
        return first;
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** How many length bytes a payload of this size needs. */
    public static int lengthBytes(long len) {
        int n = 1;
        for (long rest = len >>> 7; rest != 0; rest >>>= 7) n++;
        return n;
    }
}
