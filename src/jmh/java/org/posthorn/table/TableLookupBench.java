package org.posthorn.table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.posthorn.config.Config;

/**
 * Table lookups: one key looked up (a hit, then a miss) in a 10,000-entry table of the
 * given type, opened through TableFactory as the daemons open them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TableLookupBench {
    @Param({"texthash", "hash", "cidr", "regexp"})
    public String type;

    private Path dir;
    private Table table;
    private String hit;
    private String miss;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        dir = Files.createTempDirectory("tablebench");
        Path source = dir.resolve("map");
        StringBuilder b = new StringBuilder();
        switch (type) {
            case "cidr" -> {
                for (int i = 0; i < 1000; i++) b.append("10.").append(i / 250).append('.').append(i % 250).append(".0/24 REJECT\n");
                hit = "10.3.200.7";
                miss = "192.0.2.1";
            }
            case "regexp" -> {
                for (int i = 0; i < 100; i++) b.append("/^user").append(i).append("@example\\.org$/ OK\n");
                hit = "user99@example.org";
                miss = "nobody@example.net";
            }
            default -> {
                for (int i = 0; i < 10_000; i++) b.append("user").append(i).append("@example.org OK\n");
                hit = "user9999@example.org";
                miss = "nobody@example.net";
            }
        }
        Files.writeString(source, b);
        Config config = Config.of(dir, Map.of());
        if (type.equals("hash")) {
            // our own postmap (the checkout's bin/, where Maven runs the benchmarks)
            Process p = new ProcessBuilder("bin/postmap", "hash:" + source).inheritIO().start();
            if (p.waitFor() != 0) throw new IOException("bin/postmap hash:" + source + " failed");
        }
        table = TableFactory.openUncached(type + ":" + source, config, true);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        table.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public String lookupHit() throws TableException {
        return table.lookup(hit);
    }

    @Benchmark
    public String lookupMiss() throws TableException {
        return table.lookup(miss);
    }
}
