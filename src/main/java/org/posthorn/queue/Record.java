package org.posthorn.queue;

import java.nio.charset.StandardCharsets;

/**
 * One record as read from a queue file: its type byte, its payload and the file offset of
 * its type byte (the handle by which a recipient is marked done in place).
 *
 * @param code the type byte (see {@link RecordType})
 * @param data the payload, which may hold any bytes including NUL
 * @param offset the position of the type byte in the file
 */
public record Record(int code, byte[] data, long offset) {
    /** The payload as text. Postfix stores UTF-8 for SMTPUTF8 mail and ASCII otherwise. */
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }

    /** The record type as seen in a segment; null for a byte that is no record type. */
    public RecordType type(Segment segment) {
        return RecordType.of(code, segment);
    }

    /** The number of bytes the record occupies in the file: type, length bytes, payload. */
    public long size() {
        return 1 + RecordWriter.lengthBytes(data.length) + data.length;
    }
}
