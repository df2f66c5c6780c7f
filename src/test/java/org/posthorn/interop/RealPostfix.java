package org.posthorn.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway Debian Postfix in a temp folder (as /work/shared/bench/postfix-instance.sh
 * sets one up), with a master.cf of only the services a test needs. It must run as root;
 * Postfix's daemons run as the user postfix, so the folder is made world-searchable.
 */
final class RealPostfix implements AutoCloseable {
    final Path dir;
    final Path etc;
    final Path spool;

    RealPostfix(Path dir) {
        this.dir = dir;
        this.etc = dir.resolve("etc");
        this.spool = dir.resolve("spool");
    }

    /** Writes main.cf (base settings + extra lines) and master.cf, then starts Postfix. */
    void start(List<String> mainCf, String masterCf) throws IOException, InterruptedException {
        Files.createDirectories(etc);
        Files.createDirectories(spool);
        Files.createDirectories(dir.resolve("data"));
        worldSearchable(dir);
        String base = String.join("\n",
                "queue_directory = " + spool,
                "data_directory = " + dir.resolve("data"),
                "maillog_file_prefixes = " + dir,
                "maillog_file = " + dir.resolve("maillog"),
                "alias_maps =",
                "alias_database =",
                "");
        Files.writeString(etc.resolve("main.cf"), base + String.join("\n", mainCf) + "\n");
        Files.writeString(etc.resolve("master.cf"), masterCf);
        run("postfix", "-c", etc.toString(), "set-permissions");
        Process p = new ProcessBuilder("postfix", "-c", etc.toString(), "start").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("real Postfix did not start in " + dir + ": " + output);
        }
    }

    /**
     * Makes a folder and those above it searchable by other users (Postfix's daemons,
     * default_privs). Only adds the missing read/search bits: a chmod that sets the nine bits
     * would drop /tmp's sticky bit and world write permission.
     */
    static void worldSearchable(Path dir) {
        Set<PosixFilePermission> wanted = PosixFilePermissions.fromString("rwxr-xr-x");
        for (Path p = dir; p != null && !p.equals(p.getRoot()); p = p.getParent()) {
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (perms.containsAll(wanted)) continue;
                perms.addAll(wanted);
                Files.setPosixFilePermissions(p, perms);
            } catch (IOException e) {
                break;
            }
        }
    }

    /** Waits until a socket under private/ exists. */
    Path privateSocket(String name) throws InterruptedException {
        Path s = spool.resolve("private").resolve(name);
        for (int i = 0; i < 200 && !Files.exists(s); i++) Thread.sleep(50);
        if (!Files.exists(s)) throw new IllegalStateException("no socket " + s + " from the real Postfix");
        return s;
    }

    /** Stops Postfix and removes the folder. */
    void stop() throws IOException, InterruptedException {
        run("postfix", "-c", etc.toString(), "stop");
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a daemon still writing; the folder is in /tmp anyway
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
    }
}
