package org.posthorn.table;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Posthorn's one indexed table file, behind hash:, btree:, cdb: and lmdb: (Postfix's Berkeley
 * DB, CDB and LMDB files cannot be shared, see docs/indexed-tables.md). A constant hash file:
 * header, records in insertion order, then an open-addressing slot table. Written whole to a
 * temporary file, forced to disk and renamed over the old one, so readers see either the old
 * or the new table, never a half-written one.
 */
final class IndexedFile {
    static final byte[] MAGIC = {'P', 'H', 'T', 'B'};
    static final int VERSION = 1;
    static final int HEADER = 24;
    static final int SLOT = 12;

    private final ByteBuffer buf;
    private final int count;
    private final int slots;
    private final long slotOffset;

    private IndexedFile(ByteBuffer buf, int count, int slots, long slotOffset) {
        this.buf = buf;
        this.count = count;
        this.slots = slots;
        this.slotOffset = slotOffset;
    }

    /** Maps a file for reading; a file that is not ours fails with "invalid format". */
    static IndexedFile open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return open(ch);
        }
    }

    /**
     * Maps an open file; the channel stays open. A writer reads through the channel that holds
     * its lock, because closing any other descriptor of the file would drop the POSIX lock.
     */
    static IndexedFile open(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > Integer.MAX_VALUE) throw new IOException("file too large for this format");
        MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        map.order(ByteOrder.BIG_ENDIAN);
        if (size < HEADER) throw new IOException("Invalid argument (not a Posthorn table file)");
        byte[] magic = new byte[4];
        map.get(0, magic);
        if (!Arrays.equals(magic, MAGIC) || map.getInt(4) != VERSION) {
            throw new IOException("Invalid argument (not a Posthorn table file)");
        }
        int count = map.getInt(8);
        int slots = map.getInt(12);
        long slotOffset = map.getLong(16);
        if (count < 0 || slots <= 0 || Integer.bitCount(slots) != 1 || slotOffset < HEADER
                || slotOffset + (long) slots * SLOT != size) {
            throw new IOException("Invalid argument (damaged Posthorn table file)");
        }
        return new IndexedFile(map, count, slots, slotOffset);
    }

    /** The value stored under the exact key, or null. */
    String get(String key) throws IOException {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int h = hash(k);
        int mask = slots - 1;
        for (int probe = 0, i = h & mask; probe < slots; probe++, i = (i + 1) & mask) {
            long at = slotOffset + (long) i * SLOT;
            long rec = buf.getLong((int) at + 4);
            if (rec == 0) return null;
            if (buf.getInt((int) at) == h) {
                Map.Entry<String, String> e = record(rec, k);
                if (e != null) return e.getValue();
            }
        }
        return null;
    }

    /** All entries in the order they were written. */
    List<Map.Entry<String, String>> entries() throws IOException {
        List<Map.Entry<String, String>> out = new ArrayList<>(count);
        long at = HEADER;
        for (int n = 0; n < count; n++) {
            Map.Entry<String, String> e = record(at, null);
            out.add(e);
            at += 8L + utf8Length(e.getKey()) + utf8Length(e.getValue());
        }
        return out;
    }

    /** The record at an offset; with wantKey, null unless its key equals wantKey. */
    private Map.Entry<String, String> record(long at, byte[] wantKey) throws IOException {
        if (at < HEADER || at + 8 > slotOffset) throw new IOException("damaged Posthorn table file");
        int klen = buf.getInt((int) at);
        int vlen = buf.getInt((int) at + 4);
        if (klen < 0 || vlen < 0 || at + 8 + klen + vlen > slotOffset) throw new IOException("damaged Posthorn table file");
        byte[] k = new byte[klen];
        buf.get((int) at + 8, k);
        if (wantKey != null && !Arrays.equals(k, wantKey)) return null;
        byte[] v = new byte[vlen];
        buf.get((int) at + 8 + klen, v);
        return Map.entry(new String(k, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8));
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** FNV-1a, 32 bits: simple, fast and well spread for short keys. */
    static int hash(byte[] key) {
        int h = 0x811c9dc5;
        for (byte b : key) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        return h;
    }

    /**
     * Writes entries (keys unique) to target atomically: a temporary file beside it, forced,
     * renamed over target. The new file gets {@code mode}.
     */
    static void write(Path target, List<Map.Entry<String, String>> entries, Set<PosixFilePermission> mode) throws IOException {
        int n = entries.size();
        int slots = Integer.highestOneBit(Math.max(4, n * 2 - 1)) << 1;
        long[] offsets = new long[n];
        int[] hashes = new int[n];
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp" + ProcessHandle.current().pid());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer out = ByteBuffer.allocate(1 << 16);
            long pos = HEADER;
            ch.position(HEADER);
            for (int i = 0; i < n; i++) {
                byte[] k = entries.get(i).getKey().getBytes(StandardCharsets.UTF_8);
                byte[] v = entries.get(i).getValue().getBytes(StandardCharsets.UTF_8);
                offsets[i] = pos;
                hashes[i] = hash(k);
                out = ensure(ch, out, 8 + k.length + v.length);
                out.putInt(k.length).putInt(v.length).put(k).put(v);
                pos += 8L + k.length + v.length;
            }
            long slotOffset = pos;
            ByteBuffer table = ByteBuffer.allocate(slots * SLOT);
            int mask = slots - 1;
            for (int i = 0; i < n; i++) {
                int s = hashes[i] & mask;
                while (table.getLong(s * SLOT + 4) != 0) s = (s + 1) & mask;
                table.putInt(s * SLOT, hashes[i]).putLong(s * SLOT + 4, offsets[i]);
            }
            flush(ch, out);
            table.rewind();
            while (table.hasRemaining()) ch.write(table);
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            header.put(MAGIC).putInt(VERSION).putInt(n).putInt(slots).putLong(slotOffset).flip();
            ch.write(header, 0);
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.setPosixFilePermissions(tmp, mode);
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: keep the default mode
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Makes room for {@code need} bytes in the staging buffer, flushing it or growing it for a huge record. */
    private static ByteBuffer ensure(FileChannel ch, ByteBuffer out, int need) throws IOException {
        if (out.remaining() >= need) return out;
        flush(ch, out);
        return need > out.capacity() ? ByteBuffer.allocate(need) : out;
    }

    private static void flush(FileChannel ch, ByteBuffer out) throws IOException {
        out.flip();
        while (out.hasRemaining()) ch.write(out);
        out.clear();
    }
}
