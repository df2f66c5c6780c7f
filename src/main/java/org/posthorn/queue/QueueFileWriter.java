package org.posthorn.queue;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a new queue file the way Postfix's cleanup does, streaming: a placeholder size
 * record, the envelope (time, attributes, sender, recipients), the content as {@code N}/
 * {@code L} records, the extracted records and the end record. {@link #finish} rewrites
 * the size record in place, forces the data to disk, and only then sets the owner-execute
 * bit (mode 0600 to 0700) that tells qmgr the file is complete; {@link #close} without
 * finish removes the file. Records are checked against the segment they are written in.
 *
 * <p>Typical use by cleanup:
 * <pre>{@code
 * try (QueueFileWriter w = QueueFileWriter.create(dir, QueueName.INCOMING, 2048)) {
 *     w.envelopeStart(arrival, "local");
 *     w.sender("a@example.org");
 *     w.attribute("log_client_name", "localhost");   // any further A records
 *     w.recipient(new Rcpt("rfc822;b@example.net", 0, "b@example.net", "b@example.net"));
 *     w.beginContent();
 *     w.copyContent(messageStream);                  // or contentLine(...) per line
 *     w.endContent();
 *     String id = w.finish(QueueName.INCOMING);
 * }
 * }</pre>
 */
public final class QueueFileWriter implements Closeable {
    /** Width of each field of the size and warning records ({@code %15ld}). */
    static final String SIZE_FORMAT = "%15d %15d %15d %15d %15d %15d";

    /** A recipient to write: the A notify_flags / A dsn_orig_rcpt / O / R group cleanup writes. */
    public record Rcpt(String dsnOrigRcpt, int dsnNotify, String originalAddress, String address) {
        /** A plain recipient: original address the same, no DSN data. */
        public static Rcpt of(String address) {
            return new Rcpt(null, 0, address, address);
        }
    }

    /** How a finished file reaches the disk; tests replace it to observe what is written by then. */
    interface Durability {
        void commit(FileChannel channel, Path root, List<Path> dirs) throws IOException;
    }

    static final Durability GROUP_COMMIT = SyncPoint.SHARED::commit;

    private final QueueDirectory directory;
    private final QueueName queue;
    private final String queueId;
    private final Instant createTime;
    private final FileChannel channel;
    private final RecordWriter out;
    private final int lineLimit;
    private final boolean maildrop;
    private Path path;
    Durability durability = GROUP_COMMIT;
    private Segment segment = Segment.ENVELOPE;
    private boolean ended;
    private boolean finished;
    /** Counted among the files being written (SyncPoint's quiet test). */
    private boolean writing;
    /** The envelope and extracted records written, for {@link #envelope()}; null in a maildrop file. */
    private List<Record> kept;
    private long endOffset = -1;
    private long dataOffset = -1;
    private long extractedOffset = -1;
    private long recipientCount;
    private int qmgrFlags;
    private int smtputf8Flags;

    private QueueFileWriter(QueueDirectory directory, QueueName queue, QueueDirectory.NewFile file, int lineLimit,
                            boolean maildrop) throws IOException {
        this.directory = directory;
        this.queue = queue;
        this.queueId = file.queueId();
        this.createTime = file.time();
        this.path = file.path();
        this.channel = file.channel();
        this.lineLimit = lineLimit;
        this.maildrop = maildrop;
        this.out = new RecordWriter(new ChannelOutput(channel), 0);
        if (!maildrop) {
            out.write(RecordType.SIZE, sizeText(0, 0, 0, 0, 0, 0));
            kept = new ArrayList<>();
        }
        SyncPoint.SHARED.started();
        writing = true;
    }

    /**
     * Creates a new queue file in a queue (normally incoming/; maildrop/ for postdrop) and
     * writes the placeholder size record.
     *
     * @param lineLimit line_length_limit: longer content lines are split into {@code L} records
     */
    public static QueueFileWriter create(QueueDirectory directory, QueueName queue, int lineLimit) throws IOException {
        return create(directory, queue, lineLimit, false);
    }

    /**
     * Creates a new file in maildrop/ in the format postdrop writes for pickup: no size
     * record, the caller writes the {@code T} record and then only what postdrop accepts
     * from sendmail (envelope {@code MFSRVAin}, content {@code XLN}, extracted {@code EAR});
     * finished files get mode 0744, the mark of a postdrop submission.
     */
    public static QueueFileWriter createMaildrop(QueueDirectory directory, int lineLimit) throws IOException {
        return create(directory, QueueName.MAILDROP, lineLimit, true);
    }

    private static QueueFileWriter create(QueueDirectory directory, QueueName queue, int lineLimit, boolean maildrop) throws IOException {
        if (lineLimit <= 0) throw new IllegalArgumentException("bad line_length_limit " + lineLimit);
        QueueDirectory.NewFile file = directory.create(queue);
        try {
            return new QueueFileWriter(directory, queue, file, lineLimit, maildrop);
        } catch (IOException | RuntimeException e) {
            file.channel().close();
            Files.deleteIfExists(file.path());
            throw e;
        }
    }

    public String queueId() {
        return queueId;
    }

    /** Where the file is now (it moves on {@link #finish(QueueName)} to another queue). */
    public Path path() {
        return path;
    }

    /** The time the queue ID was made, as used for {@code A create_time}. */
    public Instant createTime() {
        return createTime;
    }

    /** The offset the next record will have. */
    public long position() {
        return out.position();
    }

    /**
     * Writes the records cleanup puts first: {@code T} arrival time "sec usec",
     * {@code A create_time=}, {@code A log_ident=} (the queue ID) and
     * {@code A rewrite_context=} ("local" or "remote").
     */
    public void envelopeStart(Instant arrival, String rewriteContext) throws IOException {
        time(arrival);
        attribute("create_time", Long.toString(createTime.getEpochSecond()));
        attribute("log_ident", queueId);
        attribute("rewrite_context", rewriteContext);
    }

    /** Writes the {@code T} record: arrival seconds and microseconds. */
    public long time(Instant arrival) throws IOException {
        return record(RecordType.TIME, arrival.getEpochSecond() + " " + arrival.getNano() / 1000);
    }

    /** Writes an {@code A name=value} record. */
    public long attribute(String name, String value) throws IOException {
        if (name.isEmpty() || name.indexOf('=') >= 0) throw new IllegalArgumentException("bad attribute name: " + name);
        return record(RecordType.ATTR, name + "=" + value);
    }

    /** Writes the {@code S} record; the null sender is the empty string. */
    public long sender(String sender) throws IOException {
        return record(RecordType.FROM, sender);
    }

    /**
     * Writes one recipient as cleanup does: {@code A notify_flags=} (the DSN NOTIFY bits) when non-zero,
     * {@code A dsn_orig_rcpt=} when present, {@code O} then {@code R}. Returns the offset
     * of the {@code R} record, the handle used to mark it done.
     */
    public long recipient(Rcpt rcpt) throws IOException {
        if (rcpt.dsnNotify() != 0) attribute("notify_flags", Integer.toString(rcpt.dsnNotify()));
        if (rcpt.dsnOrigRcpt() != null && !rcpt.dsnOrigRcpt().isEmpty()) attribute("dsn_orig_rcpt", rcpt.dsnOrigRcpt());
        record(RecordType.ORCP, rcpt.originalAddress() == null ? "" : rcpt.originalAddress());
        return record(RecordType.RCPT, rcpt.address());
    }

    /** Writes any record allowed in the current segment (envelope or extracted); returns its offset. */
    public long record(RecordType type, String value) throws IOException {
        return append(type, value.getBytes(StandardCharsets.UTF_8));
    }

    public long record(RecordType type, byte[] value) throws IOException {
        // kept for the envelope: a copy, since the caller may reuse its array
        return append(type, kept == null ? value : value.clone());
    }

    /** Writes a record whose array is ours to keep. */
    private long append(RecordType type, byte[] value) throws IOException {
        requireOpen();
        if (segment == Segment.CONTENT) {
            throw new IllegalStateException("record " + type.letter() + " written inside the message content");
        }
        if (type == RecordType.SIZE || type == RecordType.MESG || type == RecordType.XTRA || type == RecordType.END
                || !Segment.allows(segment, type.code(), maildrop)) {
            throw new IllegalArgumentException("record type " + type.letter() + " is not allowed in the " + segment.name().toLowerCase(Locale.ROOT) + " segment");
        }
        if (type == RecordType.RCPT) recipientCount++;
        long at = out.write(type, value);
        // a reader follows pointers and skips padding: a file with either is read back instead
        if (type == RecordType.PTR || type == RecordType.DTXT) kept = null;
        if (kept != null) kept.add(new Record(type.code(), value, at));
        return at;
    }

    /** Qmgr flags for the size record (fourth field). */
    public void qmgrFlags(int flags) {
        this.qmgrFlags = flags;
    }

    /** SMTPUTF8 flags for the size record (sixth field). */
    public void smtputf8Flags(int flags) {
        this.smtputf8Flags = flags;
    }

    /** Ends the envelope with {@code M}; content records follow. */
    public void beginContent() throws IOException {
        requireOpen();
        if (segment != Segment.ENVELOPE) throw new IllegalStateException("message content already started");
        out.write(RecordType.MESG, new byte[0]);
        dataOffset = out.position();
        segment = Segment.CONTENT;
    }

    /** Writes one complete content line (no line terminator), split into L records beyond the line limit. */
    public void contentLine(byte[] line, int off, int len) throws IOException {
        requireContent();
        out.writeText(RecordType.NORM, line, off, len, lineLimit);
    }

    public void contentLine(String line) throws IOException {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        contentLine(b, 0, b.length);
    }

    /** Writes part of a line that goes on in the next call (an {@code L} record, split as needed). */
    public void contentFragment(byte[] text, int off, int len) throws IOException {
        requireContent();
        out.writeText(RecordType.CONT, text, off, len, lineLimit);
    }

    /**
     * Copies a message from a stream in bounded memory: each line ending in LF or CRLF
     * becomes one {@code N} record without its terminator (preceded by {@code L} records of
     * line_length_limit bytes when longer); a last line without terminator is written as
     * {@code N} too. Returns the number of content bytes read.
     */
    public long copyContent(InputStream in) throws IOException {
        requireContent();
        byte[] line = new byte[lineLimit + 1]; // one spare byte keeps a CR until we see what follows
        byte[] chunk = new byte[64 * 1024];
        int used = 0;
        long total = 0;
        int n;
        while ((n = in.read(chunk)) > 0) {
            total += n;
            for (int i = 0; i < n; i++) {
                byte b = chunk[i];
                if (b == '\n') {
                    int len = used > 0 && line[used - 1] == '\r' ? used - 1 : used;
                    out.write(RecordType.NORM.code(), line, 0, len);
                    used = 0;
                    continue;
                }
                if (used == line.length) {
                    out.write(RecordType.CONT.code(), line, 0, lineLimit);
                    line[0] = line[lineLimit];
                    used = 1;
                }
                line[used++] = b;
            }
        }
        if (used > 0) out.write(RecordType.NORM.code(), line, 0, used);
        return total;
    }

    /** Ends the content with {@code X}; extracted records may follow. */
    public void endContent() throws IOException {
        requireContent();
        extractedOffset = out.position();
        out.write(RecordType.XTRA, new byte[0]);
        segment = Segment.EXTRACTED;
    }

    /**
     * Completes the file in this writer's queue; see {@link #finish(QueueName)}.
     */
    public String finish() throws IOException {
        return finish(queue);
    }

    /**
     * Completes the file: writes {@code E}, rewrites the size record in place with the
     * content size, data offset and recipient count, renames the file into the target
     * queue if it differs (hold/ for mail held on arrival, so qmgr never sees it in
     * incoming/), sets mode 0700 (0744 for a maildrop file), and waits at the
     * {@link SyncPoint} until data, mode and directory entries are on disk. The mode is set
     * before the sync, as Postfix does: a file cut short by a crash before the sync lacks
     * its {@code E} record and is rejected by every reader (docs/durability.md).
     * Only after this returns may the client be told the mail is queued.
     *
     * @return the queue ID
     */
    public String finish(QueueName target) throws IOException {
        requireOpen();
        if (segment != Segment.EXTRACTED) throw new IllegalStateException("message content not ended before finish");
        endOffset = out.position();
        out.write(RecordType.END, new byte[0]);
        out.flush();
        if (!maildrop) {
            long contentSize = extractedOffset - dataOffset;
            byte[] size = sizeText(contentSize, dataOffset, recipientCount, qmgrFlags, contentSize, smtputf8Flags)
                    .getBytes(StandardCharsets.US_ASCII);
            ByteBuffer sizeRecord = ByteBuffer.allocate(2 + size.length);
            sizeRecord.put(RecordType.SIZE.code()).put((byte) size.length).put(size).flip();
            while (sizeRecord.hasRemaining()) channel.write(sizeRecord, sizeRecord.position());
        }
        List<Path> dirs = new ArrayList<>(2);
        dirs.add(path.getParent());
        if (target != queue) {
            dirs.add(dirs.getFirst());
            path = directory.rename(queueId, queue, target);
            dirs.set(0, path.getParent());
        }
        Files.setPosixFilePermissions(path, QueueDirectory.permissions(maildrop ? 0744 : 0700));
        durability.commit(channel, directory.root(), dirs);
        doneWriting();
        channel.close();
        finished = true;
        return queueId;
    }

    /**
     * The envelope of the file as {@link QueueFileReader#envelope()} will read it back once
     * finished, so that qmgr need not read what cleanup just wrote: available from the end of
     * the content on (every record written by then, none after, as cleanup does); null for a
     * maildrop file, one not that far, or one whose records do not make an envelope.
     */
    public Envelope envelope() {
        if (kept == null || ended || segment != Segment.EXTRACTED) return null;
        long contentSize = extractedOffset - dataOffset;
        try {
            return QueueFileReader.envelope(path, new Envelope.SizeRecord(contentSize, dataOffset, recipientCount, qmgrFlags,
                    contentSize, smtputf8Flags), kept, dataOffset, extractedOffset, finished ? endOffset : out.position());
        } catch (QueueFileException e) {
            return null; // qmgr reads the file and reports what is wrong with it
        }
    }

    private void doneWriting() {
        if (!writing) return;
        writing = false;
        SyncPoint.SHARED.ended();
    }

    /** Closes the file; an unfinished file is removed, as cleanup does with rejected mail. */
    @Override
    public void close() throws IOException {
        doneWriting();
        if (finished || ended) return;
        ended = true;
        try {
            channel.close();
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private void requireOpen() {
        if (finished || ended) throw new IllegalStateException("queue file " + queueId + " is closed");
    }

    private void requireContent() {
        requireOpen();
        if (segment != Segment.CONTENT) throw new IllegalStateException("not inside the message content");
    }

    static String sizeText(long contentSize, long dataOffset, long rcptCount, long qmgrFlags, long contentLength, long smtputf8) {
        return String.format(Locale.ROOT, SIZE_FORMAT, contentSize, dataOffset, rcptCount, qmgrFlags, contentLength, smtputf8);
    }
}
