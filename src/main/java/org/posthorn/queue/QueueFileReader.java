package org.posthorn.queue;

import java.util.regex.Pattern;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a queue file written by cleanup (ours or Postfix's), or a maildrop file written by
 * postdrop ({@link #openMaildrop}). Opening reads the envelope
 * and the extracted segment (found through the size record, as qmgr does, or by scanning
 * the content when the size record is off); the content is streamed on demand, never held
 * in memory. Pointer records are followed and padding records skipped, as Postfix's
 * rec_get does. Anything malformed (a truncated record, a type not allowed in its segment,
 * a missing time, sender or end record) is a {@link QueueFileException}.
 */
public final class QueueFileReader implements Closeable {
    /** Compiled once: String.split compiles a pattern of more than one character on every call. */
    private static final Pattern SPACES = Pattern.compile(" +");
    /** Receives the content: each record's text and whether it ends a line ({@code N}) or not ({@code L}). */
    @FunctionalInterface
    public interface ContentSink {
        void text(byte[] data, boolean lineEnd) throws IOException;
    }

    /** Postfix's bound on backward pointer jumps, against pointer loops (rec_goto). */
    private static final int REVERSE_JUMP_LIMIT = 10000;

    private final Path file;
    private final boolean maildrop;
    private final RecordReader reader;
    private final Envelope envelope;
    private long lastJump;
    private int reverseJumps;

    private QueueFileReader(Path file, int maxRecordLength, boolean maildrop) throws IOException {
        this.file = file;
        this.maildrop = maildrop;
        this.reader = new RecordReader(FileChannel.open(file, StandardOpenOption.READ), file, maxRecordLength);
        try {
            this.envelope = readEnvelope();
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /** Opens a queue file and reads its envelope, with the default record length bound. */
    public static QueueFileReader open(Path file) throws IOException {
        return new QueueFileReader(file, RecordReader.DEFAULT_MAX_LENGTH, false);
    }

    /** Opens a queue file, accepting records up to maxRecordLength bytes. */
    public static QueueFileReader open(Path file, int maxRecordLength) throws IOException {
        return new QueueFileReader(file, maxRecordLength, false);
    }

    /**
     * Opens a maildrop file as postdrop writes it (no size record; only the record types
     * postdrop accepts), for pickup. Records are bounded by maxRecordLength; postdrop itself
     * takes no record longer than line_length_limit.
     */
    public static QueueFileReader openMaildrop(Path file, int maxRecordLength) throws IOException {
        return new QueueFileReader(file, maxRecordLength, true);
    }

    public Path file() {
        return file;
    }

    public Envelope envelope() {
        return envelope;
    }

    /** Streams the content records to a sink, in order, following pointer records. */
    public void readContent(ContentSink sink) throws IOException {
        scanContent(sink);
    }

    /** Streams the content to a sink and returns the offset of the X record that ends it. */
    private long scanContent(ContentSink sink) throws IOException {
        reader.seek(envelope.dataOffset());
        for (;;) {
            Record r = next(Segment.CONTENT);
            if (r.code() == 'X') return r.offset();
            if (r.code() == 'N' || r.code() == 'L') sink.text(r.data(), r.code() == 'N');
        }
    }

    /**
     * The content as a stream of bytes: the text of each record, with the given line
     * ending after each complete line ("\n" gives what {@code postcat -bh} prints,
     * "\r\n" the SMTP form before dot-stuffing). Reads records lazily; do not interleave
     * with other reads of this reader.
     */
    public InputStream contentStream(String lineEnding) throws IOException {
        reader.seek(envelope.dataOffset());
        byte[] eol = lineEnding.getBytes(StandardCharsets.US_ASCII);
        return new InputStream() {
            private byte[] text = new byte[0];
            private boolean lineEnd;
            private int pos;
            private boolean done;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                while (!done && pos >= text.length + (lineEnd ? eol.length : 0)) advance();
                if (done) return -1;
                int n = 0;
                while (n < len && pos < text.length) b[off + n++] = text[pos++];
                while (n < len && lineEnd && pos >= text.length && pos < text.length + eol.length) {
                    b[off + n++] = eol[pos++ - text.length];
                }
                return n;
            }

            private void advance() throws IOException {
                Record r = next(Segment.CONTENT);
                if (r.code() == 'X') {
                    done = true;
                    return;
                }
                text = r.code() == 'N' || r.code() == 'L' ? r.data() : new byte[0];
                lineEnd = r.code() == 'N';
                pos = 0;
            }
        };
    }

    /**
     * Reads the whole content sequentially and checks that it ends where the envelope
     * reading found the extracted segment: a full integrity check (every record parses,
     * every type fits its segment, the end record is present).
     */
    public void verify() throws IOException {
        long x = scanContent((data, lineEnd) -> { });
        if (x != envelope.extractedOffset()) {
            throw new QueueFileException(file, x, "content ends at offset " + x + " but the extracted segment was found at " + envelope.extractedOffset());
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /**
     * The envelope a file holds, from records already known (those its writer wrote, in file
     * order, envelope then extracted segment), exactly as {@link #envelope()} reads it back.
     */
    static Envelope envelope(Path file, Envelope.SizeRecord size, List<Record> records, long dataOffset,
                             long extractedOffset, long endOffset) throws QueueFileException {
        Parser p = new Parser(file);
        p.size = size;
        for (Record r : records) p.accept(r);
        return p.envelope(dataOffset, extractedOffset, endOffset);
    }

    private Envelope readEnvelope() throws IOException {
        Parser p = new Parser(file);
        int firstType = reader.peek();
        if (firstType < 0) throw new QueueFileException(file, 0, "empty queue file");
        if (!maildrop) {
            if (firstType != 'C') {
                throw new QueueFileException(file, 0, "first record is " + RecordType.show(firstType) + ", not a size record");
            }
            p.size = parseSize(reader.next());
        }
        for (;;) {
            Record r = next(Segment.ENVELOPE);
            if (r.code() == 'M') break;
            if (r.code() == 'C') throw new QueueFileException(file, r.offset(), "file contains multiple size records");
            p.accept(r);
        }
        long dataOffset = reader.position();
        long extractedOffset = findExtracted(dataOffset, p.size);
        long endOffset;
        for (;;) {
            Record r = next(Segment.EXTRACTED);
            if (r.code() == 'E') {
                endOffset = r.offset();
                break;
            }
            p.accept(r);
        }
        return p.envelope(dataOffset, extractedOffset, endOffset);
    }

    /** Positions the reader after the X record: straight there if the size record is right, else by scanning. */
    private long findExtracted(long dataOffset, Envelope.SizeRecord size) throws IOException {
        if (size != null && size.contentSize() > 0) {
            long guess = dataOffset + size.contentSize();
            reader.seek(guess);
            Record r = reader.next();
            if (r != null && r.code() == 'X' && r.data().length == 0) return guess;
            reader.seek(dataOffset);
        }
        for (;;) {
            Record r = next(Segment.CONTENT);
            if (r.code() == 'X') return r.offset();
        }
    }

    /** The next record of a segment, following pointers and skipping padding; EOF is an error (no E yet). */
    private Record next(Segment segment) throws IOException {
        for (;;) {
            long at = reader.position();
            Record r = reader.next();
            if (r == null) throw new QueueFileException(file, at, "unexpected end of file: no end record");
            int code = r.code();
            if (code == 'p') {
                follow(r);
                continue;
            }
            if (code == 'w') continue;
            if (!Segment.allows(segment, code, maildrop)) {
                throw new QueueFileException(file, r.offset(), "record type " + RecordType.show(code) + " is not allowed in the "
                        + segment.name().toLowerCase(Locale.ROOT) + " segment");
            }
            return r;
        }
    }

    private void follow(Record pointer) throws IOException {
        long target;
        try {
            target = Long.parseLong(pointer.text().strip());
        } catch (NumberFormatException e) {
            throw new QueueFileException(file, pointer.offset(), "malformed pointer record: " + printable(pointer.text()));
        }
        if (target < 0) throw new QueueFileException(file, pointer.offset(), "malformed pointer record: " + target);
        if (target == 0) return; // a placeholder for later edits
        if (target <= lastJump && ++reverseJumps > REVERSE_JUMP_LIMIT) {
            throw new QueueFileException(file, pointer.offset(), "too many reverse jump records");
        }
        lastJump = target;
        reader.seek(target);
    }

    private Envelope.SizeRecord parseSize(Record r) throws QueueFileException {
        String[] f = SPACES.split(r.text().strip());
        long[] v = new long[6];
        try {
            for (int i = 0; i < f.length && i < v.length; i++) v[i] = Long.parseLong(f[i]);
        } catch (NumberFormatException e) {
            throw new QueueFileException(file, r.offset(), "invalid size record: " + printable(r.text()));
        }
        if (f.length < 2 || v[0] < 0 || v[1] < 0) {
            throw new QueueFileException(file, r.offset(), "invalid size record: " + printable(r.text()));
        }
        return new Envelope.SizeRecord(v[0], v[1], v[2], v[3], v[4], v[5]);
    }

    private static String printable(String s) {
        String cut = s.length() > 100 ? s.substring(0, 100) : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** Collects envelope and extracted records; DSN and original-recipient records attach to the next recipient. */
    private static final class Parser {
        final Path file;
        Envelope.SizeRecord size;
        Instant arrival;
        String sender;
        String fullName;
        final Map<String, String> attributes = new LinkedHashMap<>();
        final List<Recipient> recipients = new ArrayList<>();
        final List<Record> records = new ArrayList<>();
        String orig;
        String dsnOrig;
        int dsnNotify;

        Parser(Path file) {
            this.file = file;
        }

        Envelope envelope(long dataOffset, long extractedOffset, long endOffset) throws QueueFileException {
            if (arrival == null) throw new QueueFileException(file, 0, "missing arrival time record");
            if (sender == null) throw new QueueFileException(file, 0, "missing sender record");
            return new Envelope(size, arrival, sender, fullName, Collections.unmodifiableMap(attributes),
                    List.copyOf(recipients), List.copyOf(records), dataOffset, extractedOffset, endOffset);
        }

        void accept(Record r) throws QueueFileException {
            switch (r.code()) {
                case 'T' -> arrival = parseTime(r);
                case 'S' -> sender = r.text();
                case 'F' -> fullName = r.text();
                case 'O' -> orig = r.text();
                case 'o' -> dsnOrig = r.text();
                case 'n' -> dsnNotify = parseInt(r, r.text());
                case 'A' -> attribute(r);
                case 'R' -> recipient(r, Recipient.Status.TODO);
                case 'D' -> recipient(r, Recipient.Status.DONE);
                case '/' -> recipient(r, Recipient.Status.CANCELLED);
                default -> records.add(r);
            }
        }

        private void attribute(Record r) throws QueueFileException {
            String text = r.text();
            int eq = text.indexOf('=');
            if (eq <= 0) throw new QueueFileException(file, r.offset(), "malformed attribute: " + printable(text));
            String name = text.substring(0, eq);
            String value = text.substring(eq + 1);
            switch (name) {
                case "dsn_orig_rcpt" -> dsnOrig = value;
                case "notify_flags" -> dsnNotify = parseInt(r, value);
                default -> {
                    attributes.put(name, value);
                    // qmgr kills this record in place once the sendmail -v report went out
                    if (name.equals("trace_flags")) records.add(r);
                }
            }
        }

        private void recipient(Record r, Recipient.Status status) {
            recipients.add(new Recipient(r.text(), orig, dsnOrig, dsnNotify, r.offset(), status));
            orig = null;
            dsnOrig = null;
            dsnNotify = 0;
        }

        private Instant parseTime(Record r) throws QueueFileException {
            String[] f = SPACES.split(r.text().strip());
            try {
                long sec = Long.parseLong(f[0]);
                long usec = f.length > 1 ? Long.parseLong(f[1]) : 0;
                if (usec < 0 || usec > 999_999) throw new NumberFormatException();
                return Instant.ofEpochSecond(sec, usec * 1000);
            } catch (NumberFormatException e) {
                throw new QueueFileException(file, r.offset(), "malformed arrival time record: " + printable(r.text()));
            }
        }

        private int parseInt(Record r, String value) throws QueueFileException {
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new QueueFileException(file, r.offset(), "malformed number in " + RecordType.show(r.code()) + " record: " + printable(value));
            }
        }
    }
}
