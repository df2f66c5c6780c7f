package org.posthorn.queue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * A buffered stream onto a channel whose buffer starts small and doubles up to a bound as
 * a message turns out large: a 4 KiB message costs one small buffer and one write, a
 * 100 KiB one a few 64 KiB writes, without allocating and zeroing 64 KiB for every small
 * file. Not thread-safe (one queue file, one writer).
 */
final class ChannelOutput extends OutputStream {
    static final int INITIAL = 8 * 1024;
    static final int MAX = 64 * 1024;

    private final WritableByteChannel channel;
    private byte[] buf = new byte[INITIAL];
    private int count;

    ChannelOutput(WritableByteChannel channel) {
        this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buf.length) makeRoom(1);
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len > buf.length - count) makeRoom(len);
        if (len > buf.length - count) {
            // larger than the biggest buffer: straight to the channel
            drain(ByteBuffer.wrap(b, off, len));
            return;
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    private void makeRoom(int len) throws IOException {
        if (buf.length < MAX) {
            buf = Arrays.copyOf(buf, Math.min(MAX, Math.max(buf.length * 2, count + len)));
            if (len <= buf.length - count) return;
        }
        flush();
    }

    @Override
    public void flush() throws IOException {
        if (count == 0) return;
        drain(ByteBuffer.wrap(buf, 0, count));
        count = 0;
    }

    private void drain(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) channel.write(b);
    }
}
