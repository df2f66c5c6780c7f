package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Debian's postsuper on a real Postfix 3.7 queue and ours on a Posthorn queue, both with
 * their mail systems running and the same deferred mail (relayed to a dead port): the same
 * sequence of postsuper commands on each, then stderr and exit status compared after each
 * one, queue IDs replaced by the sender they belong to.
 */
@Tag("interop")
class PostsuperOracleTest {
    private static final String[] SENDERS = {"a", "b", "c", "d", "e"};
    private DeadRelayPair pair;

    @AfterEach
    void stop() throws Exception {
        if (pair != null) pair.close();
    }

    /** One mail system: how to run its postsuper and postqueue, and its queue IDs by sender. */
    private record Side(String name, String postsuper, String postqueue, Path etc, Map<String, String> ids) {
        Ran postsuper(String stdin, String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(postsuper, "-c", etc.toString()));
            for (String a : args) cmd.add(a.startsWith("@") ? ids.getOrDefault(a.substring(1), a) : a);
            return run(cmd, stdin);
        }

        /** stderr with each known queue ID replaced by @sender. */
        String normalise(String text) {
            String out = text;
            for (Map.Entry<String, String> e : ids.entrySet()) out = out.replace(e.getValue(), "@" + e.getKey());
            return out;
        }
    }

    record Ran(int status, String out, String err) {
    }

    static Ran run(List<String> cmd, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("MAIL_CONFIG");
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.ISO_8859_1));
        }
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finishes", cmd).isTrue();
        return new Ran(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void sameCommandsSameReports() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/postsuper")) && "root".equals(System.getProperty("user.name")),
                "needs root and Debian's postfix package");
        pair = new DeadRelayPair("posthorn-postsuper-", "minimal_backoff_time = 3000s", "maximal_backoff_time = 4000s");
        int pfPort = pair.postfixPort;
        int phPort = pair.posthornPort;

        Side pf = new Side("postfix", "/usr/sbin/postsuper", "/usr/sbin/postqueue", pair.postfixEtc(), new LinkedHashMap<>());
        Side ph = new Side("posthorn", PostfixCommandTest.HOME.resolve("bin/postsuper").toString(),
                PostfixCommandTest.HOME.resolve("bin/postqueue").toString(), pair.posthornEtc(), new LinkedHashMap<>());
        for (int port : new int[]{pfPort, phPort}) {
            for (String s : SENDERS) {
                ShowqDifferentialTest.send(port, s + "@client.example.org", List.of(s + "@defer.test"), "Subject: " + s + "\r\n\r\nhello\r\n");
            }
        }
        for (Side side : List.of(pf, ph)) side.ids().putAll(settledIds(side));

        // each step: the arguments (@x is the ID of x's message) and what standard input gets
        String[][] steps = {
                {"-h", "@a"},
                {"-h", "@a"},
                {"-h", "@b", "-h", "@c"},
                {"-H", "@a"},
                {"-H", "ALL"},
                {"-e", "@a"},
                {"-e", "@a"},
                {"-h", "@b"},
                {"-f", "@b", "-e", "@c"},
                {"-d", "NOSUCH"},
                {"-d", "bad.id"},
                {"-d", "ALL", "foo"},
                {"-x"},
                {"-d"},
                {"-c", "relative"},
                {"-h", "@d", "-H", "@d"},
                {"-H", "@d", "-h", "@d"},
                {"-d", "@d", "-h", "@d"},
                {"-p"},
                {"-s"},
                {},
                {"-h", "@e", "-d", "@e", "-p", "-s"},
                {"-e", "ALL"},
                {"-f", "ALL"},
                {"-h", "ALL"},
                {"-H", "ALL", "hold"},
                {"-d", "ALL", "deferred"},
        };
        StringBuilder transcript = new StringBuilder();
        for (String[] step : steps) {
            Ran a = pf.postsuper("", step);
            Ran b = ph.postsuper("", step);
            assertThat(ph.normalise(b.err())).as("postsuper %s", String.join(" ", step)).isEqualTo(pf.normalise(a.err()));
            assertThat(b.status()).as("postsuper %s exit status", String.join(" ", step)).isEqualTo(a.status());
            assertThat(b.out()).isEqualTo(a.out());
            transcript.append(pf.normalise(a.err()));
        }
        // the oracle said something worth comparing (not two empty or two identical failures)
        assertThat(transcript.toString()).contains("postsuper: @a: placed on hold\npostsuper: Placed on hold: 1 message\n",
                "postsuper: @b: expired\npostsuper: @b: released from hold\npostsuper: @c: expired\npostsuper: Force-expired: 2 messages\n"
                        + "postsuper: Released from hold: 1 message\n",
                "postsuper: Placed on hold: 3 messages\n", "postsuper: fatal: invalid directory name: foo\n");

        // standard input: IDs, a malformed one, an empty line
        for (Side side : List.of(pf, ph)) {
            side.ids().clear();
            for (String s : SENDERS) ShowqDifferentialTest.send(side == pf ? pfPort : phPort, s + "@client.example.org",
                    List.of(s + "@defer.test"), "Subject: " + s + "\r\n\r\nagain\r\n");
            side.ids().putAll(settledIds(side));
        }
        Ran a = pf.postsuper(pf.ids().get("a") + "\nbogus.x\n\n" + pf.ids().get("b") + "\n", "-d", "-");
        Ran b = ph.postsuper(ph.ids().get("a") + "\nbogus.x\n\n" + ph.ids().get("b") + "\n", "-d", "-");
        assertThat(ph.normalise(b.err())).isEqualTo(pf.normalise(a.err()));
        a = pf.postsuper(pf.ids().get("c") + "\n" + pf.ids().get("d") + "\n", "-h", "-");
        b = ph.postsuper(ph.ids().get("c") + "\n" + ph.ids().get("d") + "\n", "-h", "-");
        assertThat(ph.normalise(b.err())).isEqualTo(pf.normalise(a.err()));
        // -s: a copy of a held file under a name that does not match its inode (a queue restored from backup)
        for (Side side : List.of(pf, ph)) copyUnderWrongName(side, "d", "0123456789A");
        a = pf.postsuper("", "-s");
        b = ph.postsuper("", "-s");
        assertThat(b.err()).isEqualTo(a.err()).isEqualTo("postsuper: Renamed to match inode number: 1 message\n"
                + "postsuper: warning: QUEUE FILE NAMES WERE CHANGED TO MATCH INODE NUMBERS\n");
        // the same with an operation by queue ID: refused, the ID may now name another message
        for (Side side : List.of(pf, ph)) copyUnderWrongName(side, "d", "ABCDE123456");
        a = pf.postsuper("", "-s", "-d", "@d");
        b = ph.postsuper("", "-s", "-d", "@d");
        assertThat(b.err()).isEqualTo(a.err()).contains("fatal: CHECK YOUR QUEUE IDS AND RE-ISSUE THE COMMAND");
        assertThat(b.status()).isEqualTo(a.status()).isEqualTo(1);
        a = pf.postsuper("", "-r", "@c", "-r", "@e");
        b = ph.postsuper("", "-r", "@c", "-r", "@e");
        assertThat(ph.normalise(b.err())).isEqualTo(pf.normalise(a.err()));
        // a requeued file waits in maildrop for pickup (Postfix's pickup looks every 60 s): -d ALL counts it
        // there; ours was woken and has queued both again: -d ALL counts them once they are deferred
        awaitDeferred(ph, 2);
        a = pf.postsuper("", "-d", "ALL");
        b = ph.postsuper("", "-d", "ALL");
        assertThat(b.err()).isEqualTo(a.err()).isEqualTo("postsuper: Deleted: 5 messages\n");
    }

    /** The queue IDs by sender local part once all five messages wait in deferred/. */
    private static Map<String, String> settledIds(Side side) throws Exception {
        Pattern p = Pattern.compile("\"queue_name\": \"(\\w+)\", \"queue_id\": \"(\\w+)\".*?\"sender\": \"(\\w+)@");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Map<String, String> ids = new LinkedHashMap<>();
        while (System.nanoTime() < deadline) {
            Ran r = run(List.of(side.postqueue(), "-c", side.etc().toString(), "-j"), "");
            ids.clear();
            int deferred = 0;
            for (String line : r.out().split("\n")) {
                Matcher m = p.matcher(line);
                if (!m.find()) continue;
                ids.put(m.group(3), m.group(2));
                if (m.group(1).equals("deferred") && line.contains("delay_reason")) deferred++;
            }
            if (deferred == SENDERS.length) return ids;
            Thread.sleep(200);
        }
        throw new AssertionError(side.name() + ": queue did not settle: " + ids);
    }

    /** Copies a held message to another name in hold/, keeping owner and mode. */
    private static void copyUnderWrongName(Side side, String sender, String name) throws Exception {
        Path hold = side.etc().resolveSibling("spool").resolve("hold");
        Path from = hold.resolve(side.ids().get(sender));
        assertThat(from).exists();
        Ran r = run(List.of("cp", "-p", from.toString(), hold.resolve(name).toString()), "");
        assertThat(r.status()).as(r.err()).isZero();
    }

    /** Waits until the listing shows this many deferred messages and nothing on its way (maildrop, incoming, active). */
    private static void awaitDeferred(Side side, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String out = "";
        while (System.nanoTime() < deadline) {
            out = run(List.of(side.postqueue(), "-c", side.etc().toString(), "-j"), "").out();
            long deferred = out.lines().filter(l -> l.contains("\"queue_name\": \"deferred\"")).count();
            long moving = out.lines().filter(l -> l.matches(".*\"queue_name\": \"(maildrop|incoming|active)\".*")).count();
            if (deferred == n && moving == 0) return;
            Thread.sleep(200);
        }
        throw new AssertionError(side.name() + ": requeued mail did not settle:\n" + out);
    }
}
