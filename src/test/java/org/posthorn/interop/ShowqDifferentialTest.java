package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The criterion: the same mail sent to a real Postfix 3.7.11 and to a Posthorn
 * instance, both relaying to a dead port so it stays deferred, then {@code postqueue -p}
 * and {@code -j} of each compared with queue IDs, arrival times and sizes normalised (and
 * the messages sorted: directory order differs between two queues).
 */
@Tag("interop")
class ShowqDifferentialTest {
    private DeadRelayPair pair;

    @AfterEach
    void stop() throws Exception {
        if (pair != null) pair.close();
    }

    @Test
    void sameDeferredMailListsAlike() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/postqueue")) && "root".equals(System.getProperty("user.name")),
                "needs root and Debian's postfix package");
        pair = new DeadRelayPair("posthorn-showq-", "minimal_backoff_time = 3000s", "maximal_backoff_time = 4000s");
        int pfPort = pair.postfixPort;
        int phPort = pair.posthornPort;
        Path phEtc = pair.posthornEtc();
        Files.writeString(phEtc.resolve("master.cf"), "showq     unix  n       -       n       -       -       showq\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertThat(PostfixCommandTest.run(List.of(PostfixCommandTest.HOME.resolve("bin/postfix").toString(), "-c",
                phEtc.toString(), "reload"), Map.of()).status()).isZero();

        for (int port : new int[]{pfPort, phPort}) {
            send(port, "sender@client.example.org", List.of("someone@defer.test"), "Subject: one\r\n\r\nhello\r\n");
            send(port, "sender@client.example.org", List.of("x1@defer.test", "x2@defer.test", "y@other.test"),
                    "Subject: two\r\n\r\nhello there\r\n");
            send(port, "", List.of("a@defer.test", "b@other.test"), "Subject: three\r\n\r\n" + "x".repeat(3000) + "\r\n");
            // quoted local parts: the queue file holds them unquoted, the listing quotes them again
            send(port, "\"odd name\"@client.example.org", List.of("\"q r\"@defer.test"), "Subject: four\r\n\r\nquoted\r\n");
        }
        String pf = settled(List.of("/usr/sbin/postqueue", "-c", pair.postfixEtc().toString()));
        String ph = settled(List.of(PostfixCommandTest.HOME.resolve("bin/postqueue").toString(), "-c", phEtc.toString()));
        assertThat(normalise(ph)).isEqualTo(normalise(pf));
        String pfJson = listing(List.of("/usr/sbin/postqueue", "-c", pair.postfixEtc().toString(), "-j"));
        String phJson = listing(List.of(PostfixCommandTest.HOME.resolve("bin/postqueue").toString(), "-c", phEtc.toString(), "-j"));
        assertThat(normaliseJson(phJson)).isEqualTo(normaliseJson(pfJson));
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(Arrays.asList(b));
        return out;
    }

    /** The -p listing once all four messages wait in deferred/ with their reasons. */
    private static String settled(List<String> postqueue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String out = "";
        while (System.nanoTime() < deadline) {
            out = listing(concat(postqueue, "-p"));
            if (out.contains("in 4 Requests.") && !out.contains("*") && count(out, "connect to ") == 4) return out;
            Thread.sleep(200);
        }
        throw new AssertionError("queue did not settle:\n" + out);
    }

    private static String listing(List<String> cmd) throws Exception {
        PostfixCommandTest.Result r = PostfixCommandTest.run(cmd, Map.of("TZ", "UTC"));
        assertThat(r.status()).as(r.err()).isZero();
        return r.out();
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    /** Queue ID, size and time columns replaced, the Kbytes total too, the message blocks sorted. */
    static String normalise(String listing) {
        String s = listing.replaceAll("(?m)^[0-9A-Za-z]{10,}([*!#]*) +\\d+ \\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d  ", "ID$1 SIZE TIME ")
                .replaceAll("-- \\d+ Kbytes", "-- N Kbytes")
                // once a destination is dead, either MTA may defer the rest without trying: the
                // reason then carries this prefix (and, longer, loses its indentation)
                .replaceAll("(?m)^ *\\((?:delivery temporarily suspended: )?(.*)\\)$", "    ($1)");
        int body = s.indexOf('\n') + 1;
        int trailer = s.lastIndexOf("\n\n-- ");
        String[] blocks = s.substring(body, trailer).split("\n\n");
        Arrays.sort(blocks);
        return s.substring(0, body) + String.join("\n\n", blocks) + s.substring(trailer);
    }

    static String normaliseJson(String lines) {
        String[] l = lines.replaceAll("\"queue_id\": \"[^\"]+\"", "\"queue_id\": \"ID\"")
                .replaceAll("\"arrival_time\": \\d+", "\"arrival_time\": T")
                .replaceAll("\"message_size\": \\d+", "\"message_size\": S")
                .replace("delivery temporarily suspended: ", "").split("\n");
        Arrays.sort(l);
        return String.join("\n", l);
    }

    /** A plain SMTP transaction. */
    static void send(int port, String from, List<String> to, String data) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            reply(in, "220");
            command(out, in, "EHLO client.example.org", "250");
            command(out, in, "MAIL FROM:<" + from + ">", "250");
            for (String r : to) command(out, in, "RCPT TO:<" + r + ">", "250");
            command(out, in, "DATA", "354");
            out.write((data + ".\r\n").getBytes(StandardCharsets.US_ASCII));
            reply(in, "250");
            command(out, in, "QUIT", "221");
        }
    }

    private static void command(OutputStream out, BufferedReader in, String line, String code) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        reply(in, code);
    }

    private static void reply(BufferedReader in, String code) throws IOException {
        for (;;) {
            String l = in.readLine();
            if (l == null) throw new IOException("connection closed waiting for " + code);
            if (!l.startsWith(code)) throw new IOException("expected " + code + ", got " + l);
            if (l.length() < 4 || l.charAt(3) == ' ') return;
        }
    }
}
