package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/posthorn's AOT cache (target/posthorn-cli.aot): made in the background when missing or
 * stale, never passed to the JVM when its key does not match the jar, never a word on stderr,
 * and one training for many commands started at once. Each test runs the launcher in a copy
 * of the checkout (bin/ and the jar copied, target/lib linked) so that the real cache is left alone.
 */
@Tag("interop")
class AotCacheLauncherTest {
    private static final Path FLOCK = Path.of("/usr/bin/flock");

    @TempDir
    Path home;
    private Path target;
    private Path etc;

    @BeforeEach
    void checkout() throws IOException {
        Path real = PostfixCommandTest.HOME;
        Assumptions.assumeTrue(Files.isRegularFile(real.resolve("target/posthorn.jar")), "no jar built");
        Assumptions.assumeTrue(Files.isExecutable(FLOCK), "flock(1) is not installed");
        Path bin = Files.createDirectories(home.resolve("bin"));
        Files.copy(real.resolve("bin/posthorn"), bin.resolve("posthorn"));
        bin.resolve("posthorn").toFile().setExecutable(true);
        Files.copy(real.resolve("bin/posthorn-env"), bin.resolve("posthorn-env"));
        Files.createSymbolicLink(bin.resolve("postconf"), Path.of("posthorn"));
        target = Files.createDirectories(home.resolve("target"));
        Files.copy(real.resolve("target/posthorn.jar"), target.resolve("posthorn.jar"));
        Files.createSymbolicLink(target.resolve("lib"), real.resolve("target/lib"));
        etc = Files.createDirectories(home.resolve("etc"));
        Files.writeString(etc.resolve("main.cf"), "myhostname = aot.example\n");
        Files.writeString(etc.resolve("master.cf"), "");
    }

    @Test
    void aMissingCacheIsMadeInTheBackgroundAndThenUsed() throws Exception {
        assertQuiet(postconf(Map.of()));
        String key = awaitTraining(null);
        assertThat(key).contains(target.resolve("posthorn.jar") + " ");
        assertThat(Files.size(target.resolve("posthorn-cli.aot"))).isPositive();

        assertThat(mainClassSource()).contains("source: shared objects file");
        assertQuiet(postconf(Map.of()));
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aStaleCacheIsNeverUsedAndIsMadeAgain() throws Exception {
        assertQuiet(postconf(Map.of()));
        String first = awaitTraining(null);

        // a rebuilt jar while another trainer holds the lock: the old cache must not be passed
        Path jar = target.resolve("posthorn.jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5000));
        Process holder = new ProcessBuilder(FLOCK.toString(), lock().toString(), "sleep", "120").start();
        try {
            awaitLock(true);
            assertThat(mainClassSource()).doesNotContain("shared objects file");
            assertQuiet(postconf(Map.of()));
        } finally {
            holder.descendants().forEach(ProcessHandle::destroy); // sleep holds the lock too
            holder.destroy();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        awaitLock(false);

        assertQuiet(postconf(Map.of()));
        String second = awaitTraining(first);
        assertThat(second).isNotEqualTo(first);
        assertThat(mainClassSource()).contains("source: shared objects file");
    }

    @Test
    void aCacheTheJvmCannotMapIsPassedOverInSilence() throws Exception {
        assertQuiet(postconf(Map.of()));
        awaitTraining(null);
        Files.writeString(target.resolve("posthorn-cli.aot"), "not an AOT cache\n");
        assertQuiet(postconf(Map.of()));
    }

    @Test
    void commandsStartedAtOnceAllSucceedAndOneTrainingMakesTheCache() throws Exception {
        List<Future<PostfixCommandTest.Result>> runs = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            for (int i = 0; i < 6; i++) runs.add(pool.submit(() -> postconf(Map.of())));
            for (Future<PostfixCommandTest.Result> r : runs) assertQuiet(r.get(120, TimeUnit.SECONDS));
        }
        awaitTraining(null);
        assertQuiet(postconf(Map.of()));
        assertThat(leftovers()).isEmpty();
        assertThat(target.resolve("posthorn-cli.aot.failed")).doesNotExist();
    }

    private PostfixCommandTest.Result postconf(Map<String, String> env) throws Exception {
        return PostfixCommandTest.run(List.of(home.resolve("bin/postconf").toString(), "-c", etc.toString(), "-h", "myhostname"), env);
    }

    private static void assertQuiet(PostfixCommandTest.Result r) {
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("aot.example\n");
    }

    /** Where the JVM took org.posthorn.cli.Main from, as its class+load log says. */
    private String mainClassSource() throws Exception {
        Path log = home.resolve("class-load.log");
        Files.deleteIfExists(log);
        PostfixCommandTest.Result r = postconf(Map.of("JDK_JAVA_OPTIONS", "-Xlog:class+load=info:file=" + log));
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("aot.example\n");
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(" org.posthorn.cli.Main ")).findFirst().orElseThrow();
        }
    }

    /** Waits until a trainer has written a key other than before and let go of the lock; returns the key. */
    private String awaitTraining(String before) throws Exception {
        Path key = target.resolve("posthorn-cli.aot.key");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            assertThat(target.resolve("posthorn-cli.aot.failed")).doesNotExist();
            if (Files.exists(key) && !Files.readString(key).equals(before) && !locked()) return Files.readString(key);
            Thread.sleep(200);
        }
        throw new AssertionError("no AOT cache made in " + target);
    }

    private void awaitLock(boolean held) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (locked() != held) {
            if (System.nanoTime() > deadline) throw new AssertionError("lock " + lock() + " never " + (held ? "taken" : "released"));
            Thread.sleep(50);
        }
    }

    private boolean locked() throws Exception {
        if (!Files.exists(lock())) return false;
        Process p = new ProcessBuilder(FLOCK.toString(), "-n", lock().toString(), "true").start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() != 0;
    }

    private Path lock() {
        return target.resolve("posthorn-cli.aot.lock");
    }

    /** Temporary files of a training (cache, configuration, key) that should be gone when it ends. */
    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().startsWith("posthorn-cli.aot.tmp")).toList();
        }
    }
}
