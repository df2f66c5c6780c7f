package org.posthorn.queue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Queue record writing: the records cleanup writes for one message (envelope, content lines
 * as N records, end) into a stream that discards them, so only the encoding is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RecordWriteBench {
    @Param({"4096", "102400"})
    public int size;

    private byte[] line;
    private int lines;

    private static final OutputStream NULL = new OutputStream() {
        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    };

    @Setup
    public void setup() {
        line = "x".repeat(70).getBytes(StandardCharsets.US_ASCII);
        lines = size / 72;
    }

    @Benchmark
    public long writeMessage() throws IOException {
        RecordWriter w = new RecordWriter(new java.io.BufferedOutputStream(NULL, 16 * 1024), 0);
        w.write(RecordType.TIME, "1795821818 123456");
        w.write(RecordType.ATTR, "rewrite_context=remote");
        w.write(RecordType.FROM, "sender@example.org");
        w.write(RecordType.ORCP, "rcpt@example.net");
        w.write(RecordType.RCPT, "rcpt@example.net");
        w.write(RecordType.MESG, new byte[0]);
        for (int i = 0; i < lines; i++) w.writeText(RecordType.NORM, line, 0, line.length, 2048);
        w.write(RecordType.XTRA, new byte[0]);
        w.write(RecordType.END, new byte[0]);
        w.flush();
        return w.position();
    }
}
