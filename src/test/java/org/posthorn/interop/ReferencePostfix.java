package org.posthorn.interop;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The smtp tests' real Postfix: queue-postfix.sh (the bench's postfix-instance.sh) in a
 * /tmp folder, its smtpd on a free loopback port, relaying to a given sink port.
 */
final class ReferencePostfix implements AutoCloseable {
    final Path base;
    final int smtpPort;
    private final Path script;

    ReferencePostfix(String prefix, int sinkPort, String... mainCf) throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), prefix);
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        script = base.resolve("queue-postfix.sh");
        try (InputStream in = ReferencePostfix.class.getResourceAsStream("queue-postfix.sh")) {
            Files.copy(in, script);
        }
        smtpPort = SmtpFixture.freePort();
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), base.toString(),
                Integer.toString(smtpPort), Integer.toString(sinkPort), "start"));
        cmd.addAll(List.of(mainCf));
        PostcatOracle.Result r = PostcatOracle.run(cmd);
        if (r.status() != 0) {
            throw new IllegalStateException("cannot start the reference Postfix (exit " + r.status() + "): "
                    + r.err() + " -- these tests need root and Debian's postfix package");
        }
        SmtpFixture.awaitListening("127.0.0.1", smtpPort, null);
    }

    /** Adds a master.cf row (queue-postfix.sh has no lmtp, for one) and reloads. */
    void addService(String masterCfLine) throws Exception {
        Files.writeString(base.resolve("etc").resolve("master.cf"), masterCfLine + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        tool("postfix", "reload");
        Thread.sleep(1000); // the master restarts its children
    }

    /** Its maillog so far. */
    String log() throws Exception {
        Path log = base.resolve("maillog");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Runs one of Postfix's commands on this instance ("postqueue", "-p") and returns its output. */
    String tool(String tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool, "-c", base.resolve("etc").toString()));
        cmd.addAll(List.of(args));
        PostcatOracle.Result r = PostcatOracle.run(cmd);
        if (r.status() != 0) throw new AssertionError(cmd + " failed: " + r.err());
        return new String(r.out(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        PostcatOracle.run(List.of("bash", script.toString(), base.toString(), "0", "0", "stop"));
        try (var walk = Files.walk(base)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
