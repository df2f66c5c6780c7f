package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.local.Fixture;
import org.posthorn.local.Ownership;
import org.posthorn.pipe.PipeService;
import org.posthorn.qmgr.DeliveryRecipient;
import org.posthorn.qmgr.DeliveryRequest;

/**
 * Debian's Postfix pipe(8) and ours run the same master.cf row for the same message: the
 * command must get the same arguments and the same bytes on its input (the From_ line's
 * time aside). A first pipe row with only F, R, D and O captures the queued content.
 */
@Tag("interop")
class PipeOracleTest {
    private static final String MESSAGE = "Subject: pipe oracle\nFrom: s@remote.example\n\nFrom the start\n>From quoted\n"
            + ".dot\n..two\n" + "long ".repeat(700) + "\nlast line\n";

    @TempDir
    Path tmp;

    private static String shellScript(Path dir, String name) {
        return "cat > " + dir.resolve(name + ".in") + "; printf '%s|' \"$$@\" > " + dir.resolve(name + ".args");
    }

    private static List<String> argv(Path dir, String name) {
        return List.of("argv=/bin/sh", "-c", shellScript(dir, name), "sh", "${sender}", "${recipient}",
                "${original_recipient}", "${user}", "${extension}", "${mailbox}", "${domain}", "${nexthop}", "${queue_id}",
                "x${user}y");
    }

    private static String row(String name, String flags, Path dir) {
        StringBuilder b = new StringBuilder(name + " unix - n n - - pipe flags=" + flags + " user=nobody argv=/bin/sh -c {"
                + shellScript(dir, name) + "} sh");
        for (String a : argv(dir, name).subList(4, argv(dir, name).size())) b.append(' ').append(a);
        return b + "\n";
    }

    private static String withoutTime(String s) {
        return s.replaceAll("(?m)^(From \\S+  )\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}$", "$1TIME");
    }

    @Test
    void sameArgumentsAndInputAsPostfixPipe() throws Exception {
        Assumptions.assumeTrue(Ownership.privileged(), "the real Postfix runs as root");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/postfix")), "Debian's postfix is not installed");
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
        String flags = "FRDO.>Bhu";
        String master = """
                pickup    unix  n       -       n       60      1       pickup
                cleanup   unix  n       -       n       -       0       cleanup
                qmgr      unix  n       -       n       300     1       qmgr
                rewrite   unix  -       -       n       -       -       trivial-rewrite
                bounce    unix  -       -       n       -       0       bounce
                defer     unix  -       -       n       -       0       bounce
                trace     unix  -       -       n       -       0       bounce
                error     unix  -       -       n       -       -       error
                retry     unix  -       -       n       -       -       error
                postlog   unix-dgram n  -       n       -       1       postlogd
                """ + row("raw", "FRDO", out) + row("cooked", flags, out);
        String queueId;
        String refIn;
        String refArgs;
        String raw;
        Path ref = tmp.resolve("ref");
        try (RealPostfix pf = new RealPostfix(ref)) {
            pf.start(List.of("myhostname = reference.test", "mydestination =", "inet_interfaces = loopback-only",
                    "inet_protocols = ipv4", "recipient_delimiter = +",
                    "transport_maps = inline:{one.test=raw, two.test=cooked}",
                    "raw_destination_recipient_limit = 1", "cooked_destination_recipient_limit = 1"), master);
            Process send = new ProcessBuilder("/usr/sbin/sendmail", "-C", pf.etc.toString(), "-f", "Sender@Remote.Example",
                    "a@one.test", "Joe+Tag@Two.Test").start();
            send.getOutputStream().write(MESSAGE.getBytes(StandardCharsets.UTF_8));
            send.getOutputStream().close();
            assertThat(send.waitFor(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 300 && !(Files.exists(out.resolve("cooked.args")) && Files.exists(out.resolve("raw.args"))); i++) {
                Thread.sleep(50);
            }
            Thread.sleep(200);
            if (!Files.exists(out.resolve("cooked.in")) || !Files.exists(out.resolve("raw.in"))) {
                throw new AssertionError("Postfix's pipe wrote nothing; its log:\n" + Files.readString(ref.resolve("maillog")));
            }
            refIn = Files.readString(out.resolve("cooked.in"));
            refArgs = Files.readString(out.resolve("cooked.args"));
            raw = Files.readString(out.resolve("raw.in"));
            queueId = refArgs.split("\\|")[8];
        }
        // raw.in: From_, Return-Path, X-Original-To, Delivered-To, then the queued content as is
        String content = raw.split("\n", 5)[4];

        Fixture f = new Fixture(tmp.resolve("ours"));
        f.user("nobody", 65534, tmp);
        f.params.put("recipient_delimiter", "+");
        Path q = f.message("Sender@Remote.Example", content, "Joe+Tag@Two.Test");
        Files.delete(out.resolve("cooked.in"));
        Files.delete(out.resolve("cooked.args"));
        DeliveryRequest request = new DeliveryRequest("cooked", "two.test", queueId, q, Instant.now(), Instant.now(),
                "Sender@Remote.Example", content.length(), null, null, Map.of(),
                List.of(new DeliveryRecipient("Joe+Tag@Two.Test", "Joe+Tag@Two.Test", null, 0, 1)), f.report);
        List<String> args = new java.util.ArrayList<>(List.of("flags=" + flags, "user=nobody"));
        args.addAll(argv(out, "cooked"));
        PipeService.of(f.config(), "cooked", args, f.passwd()).deliver(request);
        assertThat(f.report.lines()).containsExactly("sent to=<Joe+Tag@Two.Test> orig_to=<Joe+Tag@Two.Test> relay=cooked "
                + "dsn=2.0.0 (delivered via cooked service)");
        assertThat(Files.readString(out.resolve("cooked.args"))).isEqualTo(refArgs);
        assertThat(withoutTime(Files.readString(out.resolve("cooked.in")))).isEqualTo(withoutTime(refIn));
    }
}
