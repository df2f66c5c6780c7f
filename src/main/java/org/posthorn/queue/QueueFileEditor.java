package org.posthorn.queue;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * In-place updates of a finished queue file: marking a recipient done (its {@code R} type
 * byte becomes {@code D}, as Postfix's delivery agents do), rewriting the fixed-width
 * delay-warning time of a {@code W} record, and killing a record. Each update first checks
 * that the expected record is at the offset, so a wrong offset never damages the file.
 *
 * <p>A done mark is not forced to disk, as in Postfix (deliver_completed): a crash that
 * loses it delivers that recipient again, a duplicate and never a loss, and a sync per
 * delivered recipient would cost a journal commit each. The other edits are forced.
 */
public final class QueueFileEditor implements Closeable {
    private final Path file;
    private final FileChannel channel;

    private QueueFileEditor(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    public static QueueFileEditor open(Path file) throws IOException {
        return new QueueFileEditor(file);
    }

    /** Marks one recipient done and closes the file again. */
    public static void markDone(Path file, long offset) throws IOException {
        try (QueueFileEditor e = open(file)) {
            e.markDone(offset);
        }
    }

    /**
     * Marks the recipient whose {@code R} record is at offset as done, then forces the
     * change to disk. A recipient already marked done is left alone.
     */
    public void markDone(long offset) throws IOException {
        int type = typeAt(offset);
        if (type == 'D') return;
        if (type != 'R') {
            throw new QueueFileException(file, offset, "no recipient record here (found " + RecordType.show(type) + ")");
        }
        write(offset, new byte[] {RecordType.DONE.code()}, false);
    }

    /**
     * Rewrites the {@code W} record at offset with a new warning time (seconds; -1 after
     * the delay warning was sent), keeping its fixed 15-character width.
     */
    public void setWarnTime(long offset, long time) throws IOException {
        int type = typeAt(offset);
        byte[] len = new byte[1];
        read(offset + 1, len);
        if (type != 'W' || len[0] != 15) {
            throw new QueueFileException(file, offset, "no warning time record here (found " + RecordType.show(type) + ")");
        }
        write(offset + 2, String.format(Locale.ROOT, "%15d", time).getBytes(StandardCharsets.US_ASCII), true);
    }

    /**
     * Kills the record at offset (its type byte becomes {@code K}, postcat's killed_record),
     * as Postfix's qmgr does with trace_flags once the sendmail -v report is queued.
     */
    public void kill(long offset, RecordType expected) throws IOException {
        int type = typeAt(offset);
        if (type == RecordType.KILL.code()) return;
        if (type != expected.code()) {
            throw new QueueFileException(file, offset, "no " + RecordType.show(expected.code()) + " record here (found "
                    + RecordType.show(type) + ")");
        }
        write(offset, new byte[] {RecordType.KILL.code()}, true);
    }

    private int typeAt(long offset) throws IOException {
        if (offset <= 0) throw new QueueFileException(file, offset, "bad record offset");
        byte[] b = new byte[1];
        if (!read(offset, b)) throw new QueueFileException(file, offset, "record offset beyond the end of the file");
        return b[0] & 0xff;
    }

    private boolean read(long offset, byte[] into) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(into);
        while (buf.hasRemaining()) {
            if (channel.read(buf, offset + buf.position()) < 0) return false;
        }
        return true;
    }

    private void write(long offset, byte[] data, boolean force) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) channel.write(buf, offset + buf.position());
        if (force) channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
