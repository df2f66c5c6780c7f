package org.posthorn.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.zip.CRC32;

/**
 * What the postfix command does to a master: find whether one runs, send it a signal, and
 * build the command line that starts one. Signals: SIGHUP reload, SIGTERM graceful stop,
 * SIGKILL abort.
 */
public final class MasterControl {
    private MasterControl() {
    }

    /** The pid of the master of this queue directory, or empty when none runs. */
    public static OptionalLong running(Path queueDirectory) throws IOException {
        return PidLock.running(queueDirectory);
    }

    /**
     * Whether the process still runs. A master that exited stays a zombie until whoever
     * adopted it (init) reaps it: that counts as gone.
     */
    public static boolean alive(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) return false;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean reload(long pid) {
        return Posix.kill(pid, Posix.SIGHUP);
    }

    public static boolean stop(long pid) {
        return Posix.kill(pid, Posix.SIGTERM);
    }

    /** Kills the master and its process group at once (it leads its own group after start). */
    public static boolean abort(long pid) {
        boolean group = Posix.kill(-pid, Posix.SIGKILL);
        return Posix.kill(pid, Posix.SIGKILL) || group;
    }

    /**
     * The command that runs a master JVM: POSTHORN_JAVA (else this JVM's java) with
     * server-style options, POSTHORN_CLASSPATH (else this JVM's class path), then the words
     * of POSTHORN_MASTER_OPTS (heap size, system properties; a -cp there replaces ours).
     */
    public static List<String> command(Path configDir, String... masterOptions) {
        String java = System.getenv("POSTHORN_JAVA");
        if (java == null || java.isEmpty()) java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getenv("POSTHORN_CLASSPATH");
        if (cp == null || cp.isEmpty()) cp = System.getProperty("java.class.path");
        String opts = System.getenv("POSTHORN_MASTER_OPTS");
        List<String> extra = new ArrayList<>();
        if (opts != null) {
            for (String w : opts.trim().split("\\s+")) if (!w.isEmpty()) extra.add(w);
        }
        // C1 only: C2 spent 40 % of the CPU of a 5,000-message run compiling, for no measurable
        // gain in an I/O-bound daemon; compiling at a fifth of the usual invocation counts
        // brings a freshly started master to speed within its first few hundred messages, and a
        // second compiler thread shortens a fresh master's backlog of compilations. Heap: a
        // small young generation and early old-generation
        // marking keep the resident size near the live data (about 300 MB with 100 busy
        // sessions instead of 1.9 GB), while 1 GB leaves room for 10,000 idle sessions.
        // docs/performance.md has the numbers; POSTHORN_MASTER_OPTS overrides (the last option wins).
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData",
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:CompileThresholdScaling=0.2",
                "-Xms64m", "-Xmx1g",
                "-XX:MaxNewSize=64m", "-XX:-G1UseAdaptiveIHOP", "-XX:InitiatingHeapOccupancyPercent=10"));
        // a collector chosen in POSTHORN_MASTER_OPTS replaces ours (the JVM refuses two)
        if (extra.stream().noneMatch(w -> w.matches("-XX:\\+Use\\w+GC"))) cmd.add("-XX:+UseG1GC");
        // below eight CPUs the JVM gives C1 a single compiler thread
        if (Runtime.getRuntime().availableProcessors() < 8) cmd.add("-XX:CICompilerCount=2");
        String home = System.getenv("POSTHORN_HOME");
        if (home != null && Files.isDirectory(Path.of(home, "target"))) {
            // class-data sharing cuts the master's start time (made at the first master's exit)
            cmd.addAll(List.of("-XX:SharedArchiveFile=" + sharedArchive(Path.of(home, "target")),
                    "-XX:+AutoCreateSharedArchive", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        cmd.add("-cp");
        cmd.add(cp);
        cmd.addAll(extra);
        cmd.add(Master.class.getName());
        cmd.add("-c");
        cmd.add(configDir.toString());
        cmd.addAll(List.of(masterOptions));
        return cmd;
    }

    /**
     * The master's class-data sharing archive, target/posthorn-master-KEY.jsa, KEY a checksum
     * of the names, sizes and times of the jars: the JVM stops using an archive made for
     * another jar but does not make it again, so a rebuilt jar gets an archive of its own
     * name. Archives of other jars are removed (a running master keeps its mapping).
     */
    static Path sharedArchive(Path target) {
        CRC32 key = new CRC32();
        List<Path> jars = new ArrayList<>(List.of(target.resolve("posthorn.jar")));
        try (DirectoryStream<Path> lib = Files.newDirectoryStream(target.resolve("lib"), "*.jar")) {
            lib.forEach(jars::add);
        } catch (IOException e) {
            // no libraries: the key covers the jar alone
        }
        jars.sort(null);
        for (Path jar : jars) {
            try {
                key.update((jar + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                key.update(jar.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        String name = String.format("posthorn-master-%08x.jsa", key.getValue());
        try (DirectoryStream<Path> old = Files.newDirectoryStream(target, "posthorn-master*.jsa")) {
            for (Path f : old) {
                if (!f.getFileName().toString().equals(name)) Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a read-only target/: old archives stay
        }
        return target.resolve(name);
    }
}
