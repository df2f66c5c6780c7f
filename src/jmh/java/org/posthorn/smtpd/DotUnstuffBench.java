package org.posthorn.smtpd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
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
 * DATA reading: a message of the given size (72-byte lines, every tenth line dot-stuffed)
 * read from the client stream up to the end-of-data line, unstuffed and counted, with the
 * records passed to a sink that only sums their lengths.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DotUnstuffBench {
    @Param({"4096", "102400"})
    public int size;

    private byte[] wire;
    private long sum;

    @Setup
    public void setup() {
        StringBuilder b = new StringBuilder("Subject: bench\r\n\r\n");
        for (int i = 0; b.length() < size; i++) {
            b.append(i % 10 == 0 ? ".." : "").append("x".repeat(70)).append("\r\n");
        }
        b.append(".\r\n");
        wire = b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public long readData() throws IOException {
        SmtpInput input = new SmtpInput(new ByteArrayInputStream(wire), 16384, 16384);
        LineBuffer line = new LineBuffer(2048);
        DataReader reader = new DataReader(input, line, 2048, SmtpdSettings.BareNewline.NORMALIZE);
        ContentWriter out = new ContentWriter((buf, off, len, eol) -> sum += len, 10_240_000, 2048);
        reader.copyTo(out);
        return out.size() + sum;
    }
}
