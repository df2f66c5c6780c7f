package org.posthorn.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Dovecot (dovecot-core) that only authenticates: a passwd-file passdb with the given
 * users and hashes, its auth-client socket (mode 0666, so a real Postfix's smtpd reaches it
 * too) and an inet listener on a free loopback port. Failure delays are off, for speed.
 */
final class DovecotAuth implements AutoCloseable {
    final Path dir;
    final Path socket;
    final int port;
    private final Path conf;
    private final Process process;

    /** @param users login name to password hash ({PLAIN}x, doveadm pw output) */
    DovecotAuth(Map<String, String> users) throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "posthorn-dovecot-auth");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("state"));
        StringBuilder passwd = new StringBuilder();
        users.forEach((u, h) -> passwd.append(u).append(':').append(h).append('\n'));
        Files.writeString(dir.resolve("users"), passwd);
        port = SmtpFixture.freePort();
        conf = dir.resolve("dovecot.conf");
        String user = System.getProperty("user.name");
        Files.writeString(conf, String.join("\n",
                "base_dir = " + dir.resolve("run"),
                "state_dir = " + dir.resolve("state"),
                "log_path = " + dir.resolve("dovecot.log"),
                "protocols =",
                "ssl = no",
                "listen = 127.0.0.1",
                "auth_mechanisms = plain login",
                "auth_failure_delay = 0",
                "disable_plaintext_auth = no",
                "passdb {", "  driver = passwd-file", "  args = " + dir.resolve("users"), "}",
                "userdb {", "  driver = static", "  args = uid=" + user + " gid=" + user + " home=/tmp", "}",
                // no growing per-IP delays after failed logins: every test logs in from 127.0.0.1
                "service anvil {", "  unix_listener anvil-auth-penalty {", "    mode = 0", "  }", "}",
                "service auth {",
                "  unix_listener auth-client {", "    mode = 0666", "  }",
                "  inet_listener auth-inet {", "    address = 127.0.0.1", "    port = " + port, "  }",
                "}", ""));
        socket = dir.resolve("run").resolve("auth-client");
        try {
            process = new ProcessBuilder("dovecot", "-F", "-c", conf.toString()).redirectErrorStream(true).start();
            SmtpFixture.awaitListening("127.0.0.1", port, process);
            for (int i = 0; i < 100 && !Files.exists(socket); i++) Thread.sleep(50);
        } catch (Exception e) {
            String log = Files.exists(dir.resolve("dovecot.log")) ? Files.readString(dir.resolve("dovecot.log")) : "";
            throw new IllegalStateException("Dovecot did not start (is dovecot-core installed?): " + e.getMessage()
                    + "\n" + log, e);
        }
    }

    /** A hash as {@code doveadm pw -s SCHEME -p PASSWORD} writes it. */
    static String doveadmPw(String scheme, String password) throws Exception {
        Process p = new ProcessBuilder("doveadm", "pw", "-s", scheme, "-p", password).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("doveadm pw: " + out);
        return out;
    }

    @Override
    public void close() throws Exception {
        new ProcessBuilder("dovecot", "-c", conf.toString(), "stop").start().waitFor(10, TimeUnit.SECONDS);
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }

}
