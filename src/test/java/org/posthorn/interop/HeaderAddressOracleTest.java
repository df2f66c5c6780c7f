package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.posthorn.address.AddressList;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.rewrite.RewriteContext;
import org.posthorn.rewrite.TrivialRewriter;
import org.posthorn.table.TableFactory;

/**
 * Differential test of header address parsing and rewriting: a message with many To:
 * headers goes through a real Postfix's sendmail, pickup and cleanup (which rewrite header
 * addresses in the local context); postcat shows the result, which must equal our
 * AddressList parse + TrivialRewriter rewrite + write-back (white space runs compared as
 * one space, since cleanup also folds long lines).
 */
@Tag("interop")
class HeaderAddressOracleTest {
    private static final String MASTER_CF = """
            pickup    unix  n       -       n       60      1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            smtp      unix  -       -       n       -       -       smtp
            showq     unix  n       -       n       -       -       showq
            postlog   unix-dgram n  -       n       -       1       postlogd
            """;

    private static final List<String> HEADERS = List.of(
            "Joe User <joe>, bare", "\"a b\" <x@y>", "first last@z", "(c1) u (c2)", "grp: m1, m2@d;",
            "<@r1,@r2:rt@q>", "a@b c@d", "\"quoted\"@h", "x.y", "<>", "user%host", "host!user", "u@host",
            "u@host.", "Name (comment) <n@x.example>", "undisclosed-recipients:;", "a@b,,c@d",
            "\"Doe, John\" <jd@x.example>", "<a@x.example> <b@y.example>", "u@[127.0.0.1]", "\"a@b\"@c",
            "a\\ b@c", "@", "x@", "Group: a, \"b c\" <d>, e@f.example;", "lone", "ab <cd", "<ef> gh",
            "one two three", "\"\"@x", "a.b.c@d.e", "u@sub.host");

    @Test
    void headerAddressesMatchRealCleanup() throws Exception {
        assertThat(ProcessHandle.current().info().user().orElse(""))
                .as("the real-Postfix oracle needs root (CI runs the interop tests as root)").isEqualTo("root");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "posthorn-headers-");
        List<String> mainCf = List.of("compatibility_level = 3.6", "myhostname = host.example.test",
                "mydomain = example.test", "myorigin = origin.example", "mydestination =",
                "append_dot_mydomain = yes", "inet_interfaces = 127.0.0.1", "inet_protocols = ipv4",
                "defer_transports = smtp", "relayhost = [127.0.0.1]:9");
        RealPostfix postfix = new RealPostfix(dir);
        List<String> expected;
        try {
            postfix.start(mainCf, MASTER_CF);
            StringBuilder msg = new StringBuilder();
            for (String h : HEADERS) msg.append("To: ").append(h).append('\n');
            msg.append("Subject: header test\n\nbody\n");
            Process send = new ProcessBuilder("sendmail", "-C", postfix.etc.toString(), "-f", "s@q.example", "-i",
                    "rcpt@q.example").redirectErrorStream(true).start();
            send.getOutputStream().write(msg.toString().getBytes());
            send.getOutputStream().close();
            send.getInputStream().readAllBytes();
            assertThat(send.waitFor(30, TimeUnit.SECONDS)).isTrue();
            expected = toHeaders(postcatHeaders(postfix));
        } finally {
            postfix.stop();
        }

        Map<String, String> ours = new LinkedHashMap<>();
        for (String line : mainCf) {
            int eq = line.indexOf('=');
            ours.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        Config config = Config.of(Path.of("/nonexistent"), ours);
        TrivialRewriter mine = TrivialRewriter.create(config, spec -> TableFactory.openUncached(spec, config, true),
                spec -> TableFactory.openUncached(spec, config, false), Log.of("cleanup"));
        assertThat(expected).hasSize(HEADERS.size());
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < HEADERS.size(); i++) {
            String actual = AddressList.rewriteHeaderValue(HEADERS.get(i),
                    a -> mine.rewrite(RewriteContext.LOCAL, a), true);
            if (!norm(actual).equals(norm(expected.get(i)))) {
                mismatches.add("To: " + HEADERS.get(i) + " -> postfix <" + expected.get(i) + "> posthorn <" + actual + ">");
            }
        }
        assertThat(mismatches).isEmpty();
    }

    private static String norm(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }

    /** The To: header values of the one queued message, unfolded. */
    private static List<String> toHeaders(List<String> lines) {
        List<String> out = new ArrayList<>();
        boolean inTo = false;
        for (String line : lines) {
            if (line.startsWith(" ") || line.startsWith("\t")) {
                if (inTo) out.set(out.size() - 1, out.getLast() + "\n" + line);
            } else {
                inTo = line.startsWith("To:");
                if (inTo) out.add(line.substring(3).stripLeading());
            }
        }
        return out;
    }

    private static List<String> postcatHeaders(RealPostfix postfix) throws Exception {
        Path incoming = postfix.spool;
        for (int i = 0; i < 100; i++) {
            for (String q : List.of("active", "deferred", "incoming")) {
                try (var files = Files.walk(incoming.resolve(q))) {
                    List<Path> found = files.filter(Files::isRegularFile).toList();
                    if (!found.isEmpty()) {
                        Process p = new ProcessBuilder("postcat", "-c", postfix.etc.toString(), "-h",
                                found.getFirst().toString()).start();
                        String out = new String(p.getInputStream().readAllBytes());
                        p.waitFor(30, TimeUnit.SECONDS);
                        if (out.contains("Subject: header test")) return out.lines().toList();
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // the file moved between queues; look again
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the real Postfix queued no message in " + incoming);
    }
}
