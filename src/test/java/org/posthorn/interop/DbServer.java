package org.posthorn.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Database servers the table tests start on a free loopback port in a temporary directory:
 * PostgreSQL (initdb, pg_ctl), MariaDB (mariadb-install-db, mariadbd) and memcached. Started as
 * root, they run as an unprivileged account (postgres, mysql, nobody), as their programs demand.
 */
final class DbServer implements AutoCloseable {
    final Path dir;
    final int port;
    private final Process process;
    private final List<String> stop;

    private DbServer(Path dir, int port, Process process, List<String> stop) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.stop = stop;
    }

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The command run as {@code user} when we are root, else as ourselves. */
    static List<String> as(String user, String... command) {
        List<String> cmd = new ArrayList<>();
        if (root()) cmd.addAll(List.of("/usr/sbin/runuser", "-u", user, "--"));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /** A temporary directory the server's account may use. */
    static Path ownedDir(String prefix, String user) throws Exception {
        Path d = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (root()) exec(List.of("chown", user, d.toString()));
        return d;
    }

    static Path postgresBin() throws IOException {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) return null;
        try (Stream<Path> s = Files.list(base)) {
            return s.map(p -> p.resolve("bin")).filter(p -> Files.isExecutable(p.resolve("initdb")))
                    .max(Comparator.naturalOrder()).orElse(null);
        }
    }

    /** PostgreSQL with trust authentication for user postgres on 127.0.0.1:port and a socket in dir. */
    static DbServer postgres() throws Exception {
        Path bin = postgresBin();
        Path dir = ownedDir("posthorn-pg", "postgres");
        Path data = dir.resolve("data");
        int port = MasterServicesTest.freePort();
        exec(as("postgres", bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"));
        exec(as("postgres", bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start"));
        return new DbServer(dir, port, null, as("postgres", bin.resolve("pg_ctl").toString(), "-D", data.toString(),
                "-m", "immediate", "-w", "stop"));
    }

    /** MariaDB with a root account reachable over TCP on 127.0.0.1:port without a password. */
    static DbServer mariadb() throws Exception {
        Path dir = ownedDir("posthorn-my", "mysql");
        Path data = dir.resolve("data");
        int port = MasterServicesTest.freePort();
        exec(as("mysql", "mariadb-install-db", "--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal",
                "--skip-test-db", "--skip-name-resolve"));
        ProcessBuilder pb = new ProcessBuilder(as("mysql", "mariadbd", "--no-defaults", "--datadir=" + data,
                "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysql.sock"),
                "--pid-file=" + dir.resolve("mariadb.pid"), "--skip-grant-tables=0", "--innodb-buffer-pool-size=16M",
                "--skip-log-bin", "--innodb-log-file-size=4M"));
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile());
        Process p = pb.start();
        DbServer server = new DbServer(dir, port, p, null);
        server.awaitPort(30);
        return server;
    }

    /** memcached on 127.0.0.1:port, no UDP. */
    static DbServer memcached() throws Exception {
        int port = MasterServicesTest.freePort();
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/memcached", "-l", "127.0.0.1", "-p", Integer.toString(port), "-U", "0"));
        if (root()) cmd.addAll(List.of("-u", "nobody"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        DbServer server = new DbServer(null, port, p, null);
        server.awaitPort(10);
        return server;
    }

    private void awaitPort(int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (process != null && !process.isAlive()) break;
                Thread.sleep(50);
            }
        }
        close();
        String log = dir != null && Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")) : "";
        throw new IOException("server did not listen on port " + port + "\n" + log);
    }

    static String exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        if (stop != null) {
            try {
                exec(stop);
            } catch (IOException e) {
                // already down
            }
        }
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        }
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
