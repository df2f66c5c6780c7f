package org.posthorn.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordFormatTest {
    @TempDir
    Path tmp;

    private static byte[] encode(int code, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new RecordWriter(bytes, 0).write(code, data, 0, data.length);
        return bytes.toByteArray();
    }

    private List<Record> readAll(byte[] file, int max) throws IOException {
        Path p = tmp.resolve("f" + System.nanoTime());
        Files.write(p, file);
        List<Record> out = new ArrayList<>();
        try (SeekableByteChannel ch = Files.newByteChannel(p); RecordReader r = new RecordReader(ch, p, max)) {
            for (Record rec; (rec = r.next()) != null; ) out.add(rec);
        }
        return out;
    }

    @Test
    void everyRecordTypeRoundTrips() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RecordWriter w = new RecordWriter(bytes, 0);
        List<Long> offsets = new ArrayList<>();
        for (RecordType t : RecordType.values()) offsets.add(w.write(t, "value of " + t.name() + "\0with nul"));
        assertThat(w.position()).isEqualTo(bytes.size());
        List<Record> read = readAll(bytes.toByteArray(), 1000);
        assertThat(read).hasSize(RecordType.values().length);
        for (int i = 0; i < read.size(); i++) {
            RecordType t = RecordType.values()[i];
            assertThat(read.get(i).code()).isEqualTo(t.code() & 0xff);
            assertThat(read.get(i).text()).isEqualTo("value of " + t.name() + "\0with nul");
            assertThat(read.get(i).offset()).isEqualTo(offsets.get(i));
        }
    }

    @Test
    void lengthsAtTheSevenBitBoundaries() throws IOException {
        int[][] cases = {{0, 1}, {1, 1}, {127, 1}, {128, 2}, {16383, 2}, {16384, 3}, {2097151, 3}, {2097152, 4}};
        for (int[] c : cases) {
            byte[] data = new byte[c[0]];
            Arrays.fill(data, (byte) 'x');
            byte[] rec = encode('N', data);
            assertThat(rec.length).as("length %d", c[0]).isEqualTo(1 + c[1] + c[0]);
            assertThat(RecordWriter.lengthBytes(c[0])).isEqualTo(c[1]);
            List<Record> back = readAll(rec, 4 << 20);
            assertThat(back).hasSize(1);
            assertThat(back.get(0).data()).isEqualTo(data);
        }
        // exact bytes: low 7 bits first, high bit = more follows
        assertThat(Arrays.copyOf(encode('N', new byte[127]), 2)).containsExactly('N', 0x7f);
        assertThat(Arrays.copyOf(encode('N', new byte[128]), 3)).containsExactly('N', 0x80, 0x01);
        assertThat(Arrays.copyOf(encode('N', new byte[16383]), 3)).containsExactly('N', 0xff, 0x7f);
        assertThat(Arrays.copyOf(encode('N', new byte[16384]), 4)).containsExactly('N', 0x80, 0x80, 0x01);
    }

    @Test
    void longLinesAreSplitIntoContinuationRecordsAndRejoin() throws IOException {
        byte[] line = new byte[5000];
        for (int i = 0; i < line.length; i++) line[i] = (byte) ('a' + i % 26);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RecordWriter w = new RecordWriter(bytes, 0);
        w.writeLine(line, 0, line.length, 2048);
        w.writeLine(new byte[2048], 0, 2048, 2048);
        w.writeLine(new byte[4096], 0, 4096, 2048);
        List<Record> read = readAll(bytes.toByteArray(), 4096);
        assertThat(read).extracting(Record::code).containsExactly((int) 'L', (int) 'L', (int) 'N', (int) 'N', (int) 'L', (int) 'N');
        assertThat(read).extracting(r -> r.data().length).containsExactly(2048, 2048, 904, 2048, 2048, 2048);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) joined.write(read.get(i).data());
        assertThat(joined.toByteArray()).isEqualTo(line);
    }

    @Test
    void truncatedRecordsAreReportedWithFileAndOffset() throws IOException {
        byte[] good = encode('S', "sender@example.org".getBytes());
        byte[] twoRecords = concat(encode('T', "1 2".getBytes()), good);
        for (int cut = 6; cut < twoRecords.length; cut++) {
            byte[] truncated = Arrays.copyOf(twoRecords, cut);
            assertThatThrownBy(() -> readAll(truncated, 1000))
                    .as("cut at %d", cut)
                    .isInstanceOf(QueueFileException.class)
                    .hasMessageContaining("unexpected end of file")
                    .hasMessageContaining("at offset 5");
        }
    }

    @Test
    void garbageLengthsAreRejected() throws IOException {
        byte[] tooManyBits = {'N', (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01};
        assertThatThrownBy(() -> readAll(tooManyBits, 1000)).isInstanceOf(QueueFileException.class).hasMessageContaining("too many bits");
        byte[] tooLong = encode('N', new byte[2000]);
        assertThatThrownBy(() -> readAll(tooLong, 1000)).isInstanceOf(QueueFileException.class)
                .hasMessageContaining("illegal record length 2000 (limit 1000)");
    }

    @Test
    void streamsWithoutSeekingWork() throws IOException {
        byte[] bytes = concat(encode('T', "1 2".getBytes()), encode('E', new byte[0]));
        try (RecordReader r = new RecordReader(Channels.newChannel(new java.io.ByteArrayInputStream(bytes)), null, 100)) {
            assertThat(r.next().text()).isEqualTo("1 2");
            assertThat(r.next().code()).isEqualTo('E');
            assertThat(r.next()).isNull();
            assertThatThrownBy(() -> r.seek(0)).isInstanceOf(QueueFileException.class);
        }
    }

    @Test
    void segmentsAllowPostfixsSets() {
        assertThat(Segment.ENVELOPE.allowedLetters()).isEqualTo("MCTcFILSDRO/WVA>K<ion");
        assertThat(Segment.CONTENT.allowedLetters()).isEqualTo("XLNw");
        assertThat(Segment.EXTRACTED.allowedLetters()).isEqualTo("EDRO/PreAFIL>Kon");
        assertThat(Segment.ENVELOPE.allows('N')).isFalse();
        assertThat(Segment.CONTENT.allows('R')).isFalse();
        assertThat(Segment.EXTRACTED.allows('T')).isFalse();
        assertThat(Segment.ENVELOPE.allowsFromPostdrop('C')).isFalse();
        assertThat(Segment.ENVELOPE.allowsFromPostdrop('S')).isTrue();
        assertThat(RecordType.of('L', Segment.CONTENT)).isEqualTo(RecordType.CONT);
        assertThat(RecordType.of('L', Segment.ENVELOPE)).isEqualTo(RecordType.FILT);
        assertThat(RecordType.of('Z', Segment.ENVELOPE)).isNull();
        // every letter of every segment set is a known record type
        for (Segment s : Segment.values()) {
            for (char c : s.allowedLetters().toCharArray()) assertThat(RecordType.of(c, s)).as("%s in %s", c, s).isNotNull();
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
