package org.posthorn.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.posthorn.queue.Record;
import org.posthorn.queue.RecordReader;
import org.posthorn.queue.RecordType;
import org.posthorn.queue.Segment;

/**
 * Runs Debian's postcat and predicts its output from our own reading of a queue file, so
 * tests can compare the two exactly. Runs with TZ=UTC so times print predictably.
 */
final class PostcatOracle {
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private PostcatOracle() {
    }

    /** A finished command: exit status, stdout bytes, stderr text. */
    record Result(int status, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("TZ", "UTC");
        Process p = pb.start();
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = Thread.ofVirtual().start(() -> {
            try (InputStream e = p.getErrorStream()) {
                e.transferTo(err);
            } catch (IOException ignored) {
                // the process went away
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        errReader.join();
        return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    /** Every record of a file as our raw reader sees it (no pointers followed: tests write none). */
    static List<Record> records(Path file) throws IOException {
        List<Record> out = new ArrayList<>();
        try (RecordReader r = new RecordReader(FileChannel.open(file, StandardOpenOption.READ), file, 1 << 20)) {
            for (Record rec; (rec = r.next()) != null; ) out.add(rec);
        }
        return out;
    }

    /**
     * What {@code postcat -o -d -r} prints for these records: each record with its offset
     * and decimal type, the segment markers, text records verbatim.
     */
    static String expectedOffsetsOutput(List<Record> records, String shownPath) {
        StringBuilder out = new StringBuilder();
        Segment segment = Segment.ENVELOPE;
        out.append("*** ENVELOPE RECORDS ").append(shownPath).append(" ***\n");
        for (Record r : records) {
            out.append(String.format(Locale.ROOT, "%9d %3d ", r.offset(), r.code()));
            switch (r.code()) {
                case 'M' -> {
                    out.append("*** MESSAGE CONTENTS ").append(shownPath).append(" ***\n");
                    segment = Segment.CONTENT;
                }
                case 'X' -> {
                    out.append("*** HEADER EXTRACTED ").append(shownPath).append(" ***\n");
                    segment = Segment.EXTRACTED;
                }
                case 'E' -> out.append("*** MESSAGE FILE END ").append(shownPath).append(" ***\n");
                default -> out.append(line(r, segment)).append('\n');
            }
        }
        return out.toString();
    }

    /** One record as postcat prints it without offsets. */
    static String line(Record r, Segment segment) {
        RecordType type = r.type(segment);
        String text = r.text();
        if (segment == Segment.CONTENT && (r.code() == 'N' || r.code() == 'L')) return text;
        return switch (r.code()) {
            case 'T' -> type.postcatName() + ": " + asctime(Long.parseLong(text.split(" ")[0]));
            case 'W' -> type.postcatName() + ": " + asctime(Long.parseLong(text.strip()));
            case 'A' -> text.startsWith("create_time=")
                    ? "create_time: " + asctime(Long.parseLong(text.substring("create_time=".length())))
                    : type.postcatName() + ": " + text;
            default -> type.postcatName() + ": " + text;
        };
    }

    static String asctime(long seconds) {
        return ASCTIME.format(Instant.ofEpochSecond(seconds));
    }
}
