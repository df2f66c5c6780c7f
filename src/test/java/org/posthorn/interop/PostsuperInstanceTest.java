package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.master.PublicSocket;

/**
 * Every postsuper option on a running Posthorn with mail in each queue: deferred/ (relayed
 * to a closed port), hold/ (postsuper -h), maildrop/ (postsuper -r with pickup switched
 * off), incoming/ (qmgr_message_active_limit = 1 keeps it there) and active/ (a delivery
 * stuck on a server that never greets). Checks each report, the queue directories, the
 * log lines, and at the end that every message not deleted is still there exactly once.
 */
@Tag("interop")
class PostsuperInstanceTest {
    private static final Pattern JSON = Pattern.compile("\"queue_name\": \"(\\w+)\", \"queue_id\": \"(\\w+)\".*?\"sender\": \"([^\"]*)\"");
    /** How long the silent server keeps a delivery in active/ waiting for its greeting. */
    private static final int HELO_TIMEOUT = 6;

    @TempDir
    Path dir;
    private E2eInstance ph;
    private ServerSocket silent;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private volatile long accepted;

    @AfterEach
    void stop() throws Exception {
        if (silent != null) silent.close();
        for (Socket s : held) s.close();
        if (ph != null) ph.close();
    }

    @Test
    void everyOptionOnEveryQueueWhileTheMasterRuns() throws Exception {
        int dead = MasterServicesTest.freePort();
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    held.add(silent.accept()); // accept, never greet
                    accepted = System.nanoTime();
                }
            } catch (IOException e) {
                // closed at the end
            }
        });
        ph = new E2eInstance(dir).configure(List.of(
                "relayhost = [127.0.0.1]:" + dead,
                "transport_maps = inline:{slow.test=smtp:[127.0.0.1]:" + silent.getLocalPort() + "}",
                "minimal_backoff_time = 3000s",
                "maximal_backoff_time = 4000s",
                "smtp_helo_timeout = " + HELO_TIMEOUT + "s",
                "qmgr_message_active_limit = 1"),
                "showq     unix  n       -       n       -       -       showq");
        // without pickup, requeued mail waits in maildrop/ until the end of the test
        Path masterCf = ph.etc.resolve("master.cf");
        String withPickup = Files.readString(masterCf);
        Files.writeString(masterCf, withPickup.replaceAll("(?m)^pickup .*\n", ""));
        ph.start();

        for (String s : List.of("d1", "d2", "d3", "d4")) send(s, "x@defer.test");
        Map<String, String> ids = awaitQueue(q -> count(q, "deferred") == 4, "four deferred");
        send("s1", "y@slow.test");
        awaitQueue(q -> count(q, "active") == 1 && !held.isEmpty(), "s1 stuck in active");
        for (String s : List.of("i1", "i2", "i3")) send(s, "z@defer.test");
        ids.putAll(awaitQueue(q -> count(q, "incoming") == 3, "three waiting in incoming"));

        expect(postsuper("", "-h", ids.get("d1")), ids.get("d1") + ": placed on hold", "Placed on hold: 1 message");
        expect(postsuper("", "-h", ids.get("i1")), ids.get("i1") + ": placed on hold", "Placed on hold: 1 message");
        expect(postsuper("", "-r", ids.get("d2")), ids.get("d2") + ": requeued", "Requeued: 1 message");
        expect(postsuper("", "-e", ids.get("i2")), ids.get("i2") + ": expired", "Force-expired: 1 message");
        expect(postsuper("", "-d", ids.get("i3")), ids.get("i3") + ": removed", "Deleted: 1 message");
        assertThat(names("maildrop")).containsExactly(ids.get("d2"));
        assertThat(names("incoming")).containsExactly(ids.get("i2"));
        assertThat(names("active")).containsExactly(ids.get("s1"));
        assertThat(names("deferred")).containsExactlyInAnyOrder(ids.get("d3"), ids.get("d4"));
        assertThat(names("hold")).containsExactlyInAnyOrder(ids.get("d1"), ids.get("i1"));

        // the active message: postsuper waits for the delivery in progress, then holds it
        expect(postsuper("", "-h", ids.get("s1")), ids.get("s1") + ": placed on hold", "Placed on hold: 1 message");
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - accepted);
        assertThat(waited).as("postsuper returned only after the greeting timed out").isGreaterThan(HELO_TIMEOUT * 1000L - 500);
        String s1 = ids.get("s1");
        String log = ph.awaitLog(5, l -> l.contains(s1 + ": to=<y@slow.test>"));
        assertThat(log).containsPattern(s1 + ": to=<y@slow.test>, relay=.*status=deferred .*initial server greeting");
        assertThat(names("hold")).contains(s1);
        assertThat(log).doesNotContain(s1 + ": removed");
        // the force-expired message from incoming/ then gets its turn and is returned
        String i2 = ids.get("i2");
        log = ph.awaitLog(20, l -> l.contains(i2 + ": removed"));
        assertThat(log).contains(i2 + ": from=<i2@client.example.org>, status=force-expired, returned to sender");
        silent.close(); // from now on the slow destination refuses at once

        expect(postsuper(ids.get("d3") + "\nbad.id\n", "-d", "-"), ids.get("d3") + ": removed",
                "warning: invalid mail queue id: bad.id", "Deleted: 1 message");
        expect(postsuper("", "-f", ids.get("d1")), ids.get("d1") + ": expired", ids.get("d1") + ": released from hold",
                "Force-expired: 1 message", "Released from hold: 1 message");
        expect(postsuper("", "-H", "ALL"), "Released from hold: 2 messages");
        expect(postsuper("", "-s", "-p"));
        assertThat(postsuper("", "-v", "-s").err()).contains("postsuper: queue: deferred\n");
        expect(postsuper("", "-d", "ALL", "corrupt"), "fatal: invalid directory name: corrupt");
        awaitQueue(q -> count(q, "active") == 0 && count(q, "incoming") == 0, "nothing on its way");
        long deferred = count(listing(), "deferred"); // d1, d4, i1, s1 and the notice returning i2
        assertThat(deferred).isEqualTo(5);
        expect(postsuper("", "-h", "ALL", "deferred"), "Placed on hold: " + deferred + " messages");
        List<String> waiting = listing();
        expect(postsuper("", "-r", "ALL"), "Requeued: " + deferred + " messages"); // d2 waits in maildrop already
        int messages = ph.queueFiles("maildrop").size();
        assertThat(messages).isEqualTo(6);

        // pickup back: everything requeued goes through cleanup again, each message exactly once
        Files.writeString(masterCf, withPickup);
        assertThat(ph.postfix("reload").status()).isZero();
        // cleanup may miss the qmgr that the reload started (it remembers the seam it saw first), so the
        // test sends the incoming-queue trigger that qmgr's wake-up timer would send after 300 s
        awaitQueue(q -> {
            PublicSocket.trigger(ph.spool, "qmgr", String.valueOf(PublicSocket.QMGR_SCAN_INCOMING));
            return count(q, "maildrop") == 0 && count(q, "incoming") == 0 && count(q, "active") == 0
                    && count(q, "deferred") == messages;
        }, "requeued mail deferred again, as before:\n" + String.join("\n", waiting));
        List<String> requeued = listing();
        assertThat(requeued).hasSize(messages);
        // each survivor exactly once (the sixth is the notice that returned i2); d3, i2 and i3 are gone
        assertThat(senders(requeued)).isEqualTo(Map.of("d1@client.example.org", 1, "d2@client.example.org", 1,
                "d4@client.example.org", 1, "i1@client.example.org", 1, "s1@client.example.org", 1));
        assertThat(ph.maillog()).doesNotContain("cannot mark", "fatal:", "panic:");

        expect(postsuper("", "-d", "ALL"), "Deleted: " + requeued.size() + " messages");
        assertThat(listing()).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private E2eInstance.Ran postsuper(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(E2eInstance.bin("postsuper")));
        cmd.addAll(List.of(args));
        return ph.run(stdin, cmd.toArray(String[]::new));
    }

    /** stderr is exactly these lines, each with the "postsuper: " prefix. */
    private static void expect(E2eInstance.Ran r, String... lines) {
        StringBuilder want = new StringBuilder();
        for (String l : lines) want.append("postsuper: ").append(l).append('\n');
        assertThat(r.err()).isEqualTo(want.toString());
        assertThat(r.out()).isEmpty();
    }

    private void send(String local, String rcpt) throws IOException {
        ShowqDifferentialTest.send(ph.port, local + "@client.example.org", List.of(rcpt), "Subject: " + local + "\r\n\r\nhello\r\n");
    }

    /** postqueue -j, one line per message. */
    private List<String> listing() throws Exception {
        E2eInstance.Ran r = ph.run("", E2eInstance.bin("postqueue"), "-j");
        assertThat(r.status()).as(r.err()).isZero();
        return r.out().lines().toList();
    }

    private static long count(List<String> listing, String queue) {
        return listing.stream().filter(l -> l.contains("\"queue_name\": \"" + queue + "\"")).count();
    }

    /** Messages per sender (bounce notices, from MAILER-DAEMON, left out). */
    private static Map<String, Integer> senders(List<String> listing) {
        Map<String, Integer> out = new HashMap<>();
        for (String l : listing) {
            Matcher m = JSON.matcher(l);
            if (m.find() && !m.group(3).isEmpty() && !m.group(3).equals("MAILER-DAEMON")) out.merge(m.group(3), 1, Integer::sum);
        }
        return out;
    }

    /** Waits for the listing to satisfy a condition; returns the queue IDs by sender local part. */
    private Map<String, String> awaitQueue(Predicate<List<String>> done, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> q = listing();
        while (!done.test(q) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            q = listing();
        }
        if (!done.test(q)) {
            List<String> log = ph.maillog().lines().toList();
            throw new AssertionError(what + ":\n" + String.join("\n", q) + "\nlog:\n"
                    + String.join("\n", log.subList(Math.max(0, log.size() - 60), log.size())));
        }
        Map<String, String> ids = new HashMap<>();
        for (String l : q) {
            Matcher m = JSON.matcher(l);
            if (m.find() && m.group(3).contains("@")) ids.put(m.group(3).substring(0, m.group(3).indexOf('@')), m.group(2));
        }
        return ids;
    }

    /** The queue IDs of the files in one queue directory. */
    private List<String> names(String queue) throws IOException {
        return ph.queueFiles(queue).stream().map(p -> p.getFileName().toString()).toList();
    }
}
