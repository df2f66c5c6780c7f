package org.posthorn.queue;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;

/**
 * Reads Postfix records one at a time from a channel through a small buffer, so a file of
 * any size is read in bounded memory. Every record is checked: a length that runs past the
 * end of the file, a length with too many bits, or a length above the limit is reported as
 * a {@link QueueFileException} naming the file and offset. Seeking (for pointer records
 * and skipping the content) needs a {@link SeekableByteChannel}.
 */
public final class RecordReader implements Closeable {
    /** Default bound on one record's payload: far above any record Postfix writes. */
    public static final int DEFAULT_MAX_LENGTH = 1 << 20;

    private final ReadableByteChannel channel;
    private final Path file;
    private final int maxLength;
    private static final int MIN_BUFFER = 4 * 1024;
    private static final int MAX_BUFFER = 64 * 1024;
    /** Sized to the file up to 64 KiB: a small file is read whole without a 64 KiB buffer to allocate and zero each time. */
    private final ByteBuffer buffer;
    private long bufferStart;

    /**
     * A reader at the channel's current position.
     *
     * @param file the file name for messages (may be null)
     * @param maxLength the largest payload accepted
     */
    public RecordReader(ReadableByteChannel channel, Path file, int maxLength) throws IOException {
        this.channel = channel;
        this.file = file;
        this.maxLength = maxLength;
        this.bufferStart = channel instanceof SeekableByteChannel s ? s.position() : 0;
        long size = channel instanceof SeekableByteChannel s ? s.size() - bufferStart : MAX_BUFFER;
        this.buffer = ByteBuffer.allocate((int) Math.clamp(size + 1, MIN_BUFFER, MAX_BUFFER));
        buffer.limit(0);
    }

    /** The file offset of the next record. */
    public long position() {
        return bufferStart + buffer.position();
    }

    /** The file name used in messages. */
    public Path file() {
        return file;
    }

    /** Moves to a file offset; the channel must be seekable. */
    public void seek(long offset) throws IOException {
        if (!(channel instanceof SeekableByteChannel s)) {
            throw new QueueFileException(file, position(), "cannot seek in a stream");
        }
        if (offset >= bufferStart && offset <= bufferStart + buffer.limit()) {
            buffer.position((int) (offset - bufferStart));
            return;
        }
        s.position(offset);
        bufferStart = offset;
        buffer.clear().limit(0);
    }

    /** The next byte without consuming it, or -1 at the end of the file. */
    public int peek() throws IOException {
        if (!buffer.hasRemaining() && !fill()) return -1;
        return buffer.get(buffer.position()) & 0xff;
    }

    /** The next record, or null at the end of the file before a type byte. */
    public Record next() throws IOException {
        long at = position();
        int type = read();
        if (type < 0) return null;
        long len = 0;
        for (int shift = 0; ; shift += 7) {
            if (shift >= 32) {
                throw new QueueFileException(file, at, "record length has too many bits, record type " + RecordType.show(type));
            }
            int b = read();
            if (b < 0) {
                throw new QueueFileException(file, at, "unexpected end of file in the length of a record of type " + RecordType.show(type));
            }
            len |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
        }
        if (len > maxLength) {
            throw new QueueFileException(file, at, "illegal record length " + len + " (limit " + maxLength + "), record type " + RecordType.show(type));
        }
        byte[] data = new byte[(int) len];
        int got = 0;
        while (got < data.length) {
            if (!buffer.hasRemaining() && !fill()) {
                throw new QueueFileException(file, at, "unexpected end of file in the data of a record of type "
                        + RecordType.show(type) + " (length " + len + ", " + got + " bytes present)");
            }
            int n = Math.min(buffer.remaining(), data.length - got);
            buffer.get(data, got, n);
            got += n;
        }
        return new Record(type, data, at);
    }

    private int read() throws IOException {
        if (!buffer.hasRemaining() && !fill()) return -1;
        return buffer.get() & 0xff;
    }

    private boolean fill() throws IOException {
        bufferStart += buffer.limit();
        buffer.clear();
        int n;
        do {
            n = channel.read(buffer);
        } while (n == 0);
        buffer.flip();
        return n > 0;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
