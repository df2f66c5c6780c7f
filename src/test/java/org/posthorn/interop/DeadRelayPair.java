package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A real Postfix (queue-postfix.sh) and a Posthorn (bench/posthorn-instance.sh) side by side
 * in one /tmp folder, each with its smtpd on a free loopback port and relaying to the same
 * closed port, so that what they are sent stays deferred: the set-up of the differential
 * queue tests. Needs root and Debian's postfix package.
 */
final class DeadRelayPair implements AutoCloseable {
    final Path base;
    final int postfixPort;
    final int posthornPort;
    private final Path script;

    /** Starts both with the same extra main.cf lines. */
    DeadRelayPair(String prefix, String... mainCf) throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), prefix);
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        script = base.resolve("queue-postfix.sh");
        try (InputStream in = DeadRelayPair.class.getResourceAsStream("queue-postfix.sh")) {
            Files.copy(in, script);
        }
        int dead = CleanupOracleTest.freePort();
        postfixPort = CleanupOracleTest.freePort();
        posthornPort = CleanupOracleTest.freePort();
        start(List.of("bash", script.toString(), base.resolve("pf").toString()), postfixPort, dead, mainCf);
        start(List.of("bash", PostfixCommandTest.HOME.resolve("bench/posthorn-instance.sh").toString(),
                base.resolve("ph").toString()), posthornPort, dead, mainCf);
    }

    private static void start(List<String> script, int port, int dead, String... mainCf) throws Exception {
        List<String> cmd = new ArrayList<>(script);
        cmd.addAll(List.of(Integer.toString(port), Integer.toString(dead), "start"));
        cmd.addAll(List.of(mainCf));
        PostcatOracle.Result r = PostcatOracle.run(cmd);
        assertThat(r.status()).as(r.err()).isZero();
    }

    /** The real Postfix's configuration directory. */
    Path postfixEtc() {
        return base.resolve("pf/etc");
    }

    /** Posthorn's configuration directory. */
    Path posthornEtc() {
        return base.resolve("ph/etc");
    }

    @Override
    public void close() throws Exception {
        PostcatOracle.run(List.of("bash", script.toString(), base.resolve("pf").toString(), "0", "0", "stop"));
        PostcatOracle.run(List.of("bash", PostfixCommandTest.HOME.resolve("bench/posthorn-instance.sh").toString(),
                base.resolve("ph").toString(), "0", "0", "stop"));
        try (var walk = Files.walk(base)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
