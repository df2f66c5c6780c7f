package org.posthorn.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the same postmap command with Debian's Postfix and with bin/postmap, for the oracle
 * tests of the client tables (pgsql, mysql, memcache, socketmap, tcp): both read the same .cf
 * file and query the same server. Postfix's own error text after "query error:" is its errno
 * of the moment, so fatal lines are compared up to there.
 */
final class PostmapOracle {
    static final Path POSTFIX_POSTMAP = Path.of("/usr/sbin/postmap");

    /** stdout, the warning and fatal lines of stderr without the program name, and the exit status. */
    record Result(String out, List<String> err, int status) {
        /** What must agree: output, exit status, and the first words of the first diagnostic. */
        String essence() {
            String first = err.isEmpty() ? "" : err.getFirst();
            if (first.contains(": query error")) first = first.substring(0, first.indexOf(": query error") + 13);
            // the database client library's own words differ (libpq vs JDBC): compare up to the server's name
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(warning: .*?(server|from host) \\S+?:) ").matcher(first);
            if (m.find()) first = m.group(1);
            return out + "[exit " + status + "]" + (first.isEmpty() ? "" : " " + first);
        }
    }

    private final Path configDir;

    PostmapOracle(Path dir) throws IOException {
        this.configDir = Files.createDirectories(dir);
        Files.writeString(configDir.resolve("main.cf"), "# defaults\n");
    }

    static boolean available() {
        return Files.isExecutable(POSTFIX_POSTMAP);
    }

    Result postfix(String... args) throws Exception {
        return postfixWithInput(null, args);
    }

    Result ours(String... args) throws Exception {
        return oursWithInput(null, args);
    }

    /** postmap -q - with these keys on stdin: many lookups in one run. */
    Result postfixWithInput(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(POSTFIX_POSTMAP.toString()));
        cmd.addAll(List.of(args));
        return run(cmd, stdin);
    }

    Result oursWithInput(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(E2eInstance.bin("postmap")));
        cmd.addAll(List.of(args));
        return run(cmd, stdin);
    }

    private Result run(List<String> command, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("MAIL_CONFIG", configDir.toString());
        pb.environment().put("LANG", "C.UTF-8");
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timeout: " + command);
        }
        List<String> lines = new ArrayList<>();
        for (String line : new String(err.get(), StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty()) continue;
            int colon = line.indexOf(": ");
            lines.add(colon > 0 ? line.substring(colon + 2) : line);
        }
        return new Result(new String(out, StandardCharsets.UTF_8), lines, p.exitValue());
    }
}
