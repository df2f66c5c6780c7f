package org.posthorn.local;

import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.table.TableFactory;

class AliasForwardTest {
    static final String MSG = "Subject: hi\n\nbody\n";

    @TempDir
    Path tmp;
    Fixture f;
    Path alice;
    Path bob;

    @BeforeEach
    void setUp() throws IOException {
        TableFactory.clearCache();
        f = new Fixture(tmp);
        alice = f.user("alice");
        bob = f.user("bob");
        f.user("admin");
        Files.createDirectories(tmp.resolve("mail"));
        f.params.put("mail_spool_directory", tmp.resolve("mail").toString());
        f.params.put("default_privs", "admin");
    }

    private void aliases(String text) throws IOException {
        Path file = tmp.resolve("aliases");
        Files.writeString(file, text);
        f.params.put("alias_maps", "texthash:" + file);
    }

    @Test
    void aliasToLocalUsersAndRemoteAddressForwardsThroughCleanup() throws Exception {
        aliases("team alice, Bob, carol@remote.example\n");
        f.local("s@remote.example", MSG, "team@host.example");
        assertThat(f.report.lines()).containsExactly(
                "sent to=<alice@host.example> orig_to=<team@host.example> relay=local dsn=2.0.0 (delivered to mailbox)",
                "sent to=<Bob@host.example> orig_to=<team@host.example> relay=local dsn=2.0.0 (delivered to mailbox)",
                "sent to=<team@host.example> orig_to=<team@host.example> relay=local dsn=2.0.0 (forwarded as FWD1)");
        assertThat(Files.readString(tmp.resolve("mail/alice"))).contains("X-Original-To: team@host.example\nDelivered-To: alice@host.example\n");
        assertThat(f.cleanup.messages).hasSize(1);
        Fixture.RecordingCleanup.Message fwd = f.cleanup.messages.get(0);
        assertThat(fwd.sender()).isEqualTo("s@remote.example");
        assertThat(fwd.recipients()).containsExactly("carol@remote.example");
        assertThat(fwd.content()).isEqualTo("Delivered-To: team@host.example\n" + MSG);
    }

    @Test
    void ownerAliasBecomesTheSenderOfTheExpansion() throws Exception {
        aliases("list carol@remote.example\nowner-list admin\n");
        f.local("s@remote.example", MSG, "list@host.example");
        assertThat(f.cleanup.messages.get(0).sender()).isEqualTo("owner-list@host.example");
        f.params.put("expand_owner_alias", "yes");
        f.local("s@remote.example", MSG, "list@host.example");
        assertThat(f.cleanup.messages.get(1).sender()).isEqualTo("admin");
    }

    @Test
    void aliasNamingItselfDeliversToTheUser() throws Exception {
        aliases("alice alice, carol@remote.example\n");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.lines()).containsExactly(
                "sent to=<alice@host.example> orig_to=<alice@host.example> relay=local dsn=2.0.0 (delivered to mailbox)",
                "sent to=<alice@host.example> orig_to=<alice@host.example> relay=local dsn=2.0.0 (forwarded as FWD1)");
    }

    @Test
    void includeCommandAndFileDestinations() throws Exception {
        Path out = tmp.resolve("out");
        Path list = tmp.resolve("list.txt");
        Files.writeString(list, "# members\nbob\n\"|/bin/cat > " + out + "\"\n");
        Path file = tmp.resolve("archive");
        aliases("staff :include:" + list + ", " + file + "\n");
        // commands in include files need the "include" class (not in the default)
        f.local("s@remote.example", MSG, "staff@host.example");
        assertThat(f.report.lines()).contains("bounced to=<staff@host.example> orig_to=<staff@host.example> relay=local "
                + "dsn=5.7.1 (mail to command is restricted)");
        f.report.entries.clear();
        Files.delete(file);
        Files.delete(tmp.resolve("mail/bob"));
        f.params.put("allow_mail_to_commands", "alias, forward, include");
        f.local("s@remote.example", MSG, "staff@host.example");
        assertThat(f.report.lines()).containsExactly(
                "sent to=<bob@host.example> orig_to=<staff@host.example> relay=local dsn=2.0.0 (delivered to mailbox)",
                "sent to=<staff@host.example> orig_to=<staff@host.example> relay=local dsn=2.0.0 (delivered to command: /bin/cat > " + out + ")",
                "sent to=<staff@host.example> orig_to=<staff@host.example> relay=local dsn=2.0.0 (delivered to file: " + file + ")");
        assertThat(Files.readString(out)).matches("(?s)From s@remote\\.example  .*\nReturn-Path: <s@remote\\.example>\n"
                + "X-Original-To: staff@host\\.example\nDelivered-To: staff@host\\.example\nSubject: hi\n\nbody\n");
        assertThat(Files.readString(file)).startsWith("From s@remote.example  ").endsWith("Delivered-To: staff@host.example\n" + MSG + "\n");
    }

    @Test
    void commandEnvironmentAndExitCodes() throws Exception {
        Path env = tmp.resolve("env");
        f.params.put("recipient_delimiter", "+");
        aliases("envdump \"|env > " + env + "\"\nnoexec |/nonexistent/cmd\ntemp \"|/bin/sh -c 'exit 75'\"\nfail \"|echo oops; exit 1\"\nnouser \"|/bin/sh -c 'exit 67'\"\n");
        f.local("s@remote.example", MSG, "envdump+ext@host.example");
        String e = Files.readString(env);
        assertThat(e).contains("SENDER=s@remote.example\n", "RECIPIENT=envdump+ext@host.example\n", "LOCAL=envdump+ext\n",
                "EXTENSION=ext\n", "DOMAIN=host.example\n", "ORIGINAL_RECIPIENT=envdump+ext@host.example\n",
                "CLIENT_ADDRESS=127.0.0.1\n", "CLIENT_HOSTNAME=localhost\n", "PATH=/usr/bin:/bin\n", "USER=envdump\n",
                "LOGNAME=envdump\n").doesNotContain("HOME=", "SHELL=");
        f.local("s@remote.example", MSG, "noexec@host.example");
        assertThat(f.report.lines().get(1)).isEqualTo("deferred to=<noexec@host.example> orig_to=<noexec@host.example> relay=local "
                + "dsn=4.3.0 (temporary failure. Command output: local: fatal: execvp /nonexistent/cmd: No such file or directory )");
        f.report.entries.remove(1);
        f.local("s@remote.example", MSG, "temp@host.example");
        f.local("s@remote.example", MSG, "fail@host.example");
        f.local("s@remote.example", MSG, "nouser@host.example");
        assertThat(f.report.lines().subList(1, 4)).containsExactly(
                "deferred to=<temp@host.example> orig_to=<temp@host.example> relay=local dsn=4.3.0 (temporary failure)",
                "bounced to=<fail@host.example> orig_to=<fail@host.example> relay=local dsn=5.3.0 (Command died with status 1: \"echo oops; exit 1\". Command output: oops )",
                "bounced to=<nouser@host.example> orig_to=<nouser@host.example> relay=local dsn=5.1.1 (user unknown)");
    }

    @Test
    void commandTimeLimit() throws Exception {
        f.params.put("command_time_limit", "1s");
        aliases("slow \"|sleep 30\"\n");
        long t0 = System.nanoTime();
        f.local("s@remote.example", MSG, "slow@host.example");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
        assertThat(f.report.lines()).containsExactly("bounced to=<slow@host.example> orig_to=<slow@host.example> relay=local "
                + "dsn=5.3.0 (Command time limit exceeded: \"sleep 30\")");
    }

    @Test
    void restrictedCommandsAndFiles() throws Exception {
        f.params.put("allow_mail_to_commands", "forward");
        f.params.put("allow_mail_to_files", "forward");
        aliases("c \"|/bin/true\"\nfl " + tmp.resolve("x") + "\n");
        f.local("s@remote.example", MSG, "c@host.example", "fl@host.example");
        assertThat(f.report.lines()).containsExactly(
                "bounced to=<c@host.example> orig_to=<c@host.example> relay=local dsn=5.7.1 (mail to command is restricted)",
                "bounced to=<fl@host.example> orig_to=<fl@host.example> relay=local dsn=5.7.1 (mail to file is restricted)");
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    @Test
    void dotForwardWithBackslashUserAndRemoteAddress() throws Exception {
        Files.writeString(alice.resolve(".forward"), "\\alice, carol@remote.example\n");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.lines()).containsExactly(
                "sent to=<alice@host.example> orig_to=<alice@host.example> relay=local dsn=2.0.0 (delivered to mailbox)",
                "sent to=<alice@host.example> orig_to=<alice@host.example> relay=local dsn=2.0.0 (forwarded as FWD1)");
        assertThat(f.cleanup.messages.get(0).content()).startsWith("Delivered-To: alice@host.example\n");
    }

    @Test
    void emptyDotForwardMeansMailbox() throws Exception {
        Files.writeString(alice.resolve(".forward"), "# nothing\n");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.lines()).containsExactly(
                "sent to=<alice@host.example> orig_to=<alice@host.example> relay=local dsn=2.0.0 (delivered to mailbox)");
    }

    @Test
    void extensionForwardFileIsTriedFirst() throws Exception {
        f.params.put("recipient_delimiter", "+");
        Files.writeString(alice.resolve(".forward+lists"), "bob\n");
        Files.writeString(alice.resolve(".forward"), "carol@remote.example\n");
        f.local("s@remote.example", MSG, "alice+lists@host.example", "alice@host.example");
        assertThat(f.report.lines()).containsExactly(
                "sent to=<bob@host.example> orig_to=<alice+lists@host.example> relay=local dsn=2.0.0 (delivered to mailbox)",
                "sent to=<alice@host.example> orig_to=<alice@host.example> relay=local dsn=2.0.0 (forwarded as FWD1)");
    }

    @Test
    void forwardToCommandRunsWithForwardClass() throws Exception {
        Path out = tmp.resolve("fwdout");
        Files.writeString(alice.resolve(".forward"), "\"|/bin/cat > " + out + "\"\n");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.entries.get(0).status().text()).isEqualTo("delivered to command: /bin/cat > " + out);
        assertThat(Files.readString(out)).contains("Delivered-To: alice@host.example\n");
        Files.writeString(alice.resolve(".forward"), "\"|env > " + out + "\"\n");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(Files.readString(out)).contains("USER=alice\n", "HOME=" + alice + "\n", "SHELL=/bin/sh\n");
    }

    @Test
    void luserRelayTakesUnknownUsers() throws Exception {
        f.params.put("luser_relay", "admin+$user");
        f.params.put("recipient_delimiter", "+");
        f.local("s@remote.example", MSG, "nosuch@host.example");
        assertThat(f.report.lines()).containsExactly(
                "sent to=<admin+nosuch@host.example> orig_to=<nosuch@host.example> relay=local dsn=2.0.0 (delivered to mailbox)");
        assertThat(Files.readString(tmp.resolve("mail/admin"))).contains("Delivered-To: admin+nosuch@host.example\n");
    }

    @Test
    void mailboxCommandGetsTheMessage() throws Exception {
        Path out = tmp.resolve("procmail");
        f.params.put("mailbox_command", "/bin/cat > " + out + ".$user");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(f.report.entries.get(0).status().text()).isEqualTo("delivered to command: /bin/cat > " + out + ".alice");
        assertThat(Files.readString(Path.of(out + ".alice"))).contains("Delivered-To: alice@host.example\n" + MSG);
    }

    @Test
    void forwardingRejectedByCleanupBounces() throws Exception {
        aliases("away carol@remote.example\n");
        f.cleanup.reject = true;
        f.local("s@remote.example", MSG, "away@host.example");
        assertThat(f.report.lines()).containsExactly("bounced to=<away@host.example> orig_to=<away@host.example> relay=local "
                + "dsn=5.7.1 (cannot forward mail: 550 5.7.1 rejected for the test)");
    }

    @Test
    void partialDeferralReportsOnlyTheDeferral() throws Exception {
        aliases("mixed alice, \"|/bin/sh -c 'exit 75'\"\n");
        f.local("s@remote.example", MSG, "mixed@host.example");
        assertThat(f.report.lines()).containsExactly(
                "deferred to=<mixed@host.example> orig_to=<mixed@host.example> relay=local dsn=4.3.0 (temporary failure)");
    }

    @Test
    void duplicateDestinationsGetOneCopy() throws Exception {
        aliases("a1 alice\na2 alice\n");
        f.local("s@remote.example", MSG, "a1@host.example", "a2@host.example");
        assertThat(Files.readString(tmp.resolve("mail/alice")).split("\nFrom s@remote", -1)).hasSize(1);
        assertThat(f.report.lines()).hasSize(2).allMatch(l -> l.startsWith("sent ") && l.endsWith("(delivered to mailbox)"));
    }

    /** A fake agent per transport name: records what it got and answers 250 with its own relay. */
    private static java.util.function.Function<String, org.posthorn.qmgr.DeliveryAgent> agents(List<String> got) {
        return transport -> transport.equals("missing") ? null : request -> {
            for (var r : request.recipients()) {
                got.add(transport + " " + request.nexthop() + " " + r.address() + " from " + request.sender());
                request.report().sent(r, org.posthorn.qmgr.DeliveryStatus.of("2.0.0", transport + "-host", "250 ok via " + transport));
            }
        };
    }

    private void localWithAgents(List<String> got, String... recipients) throws Exception {
        java.nio.file.Path file = f.message("s@remote.example", MSG, recipients);
        LocalService.of(f.config(), f.passwd(), f.cleanup).withAgents(agents(got))
                .deliver(f.request(file, "s@remote.example", recipients));
    }

    @Test
    void mailboxTransportTakesEveryLocalUserAndFallbackTransportOnlyUnknownOnes() throws Exception {
        List<String> got = new java.util.ArrayList<>();
        f.params.put("fallback_transport", "relay");
        f.params.put("mailbox_command", "/bin/false");
        aliases("team alice\n");
        // fallback_transport: unknown users only; known ones still get their mailbox_command
        localWithAgents(got, "nosuch@host.example", "team@host.example");
        assertThat(got).containsExactly("relay host.example nosuch@host.example from s@remote.example");
        assertThat(f.report.lines()).first().asString()
                .isEqualTo("sent to=<nosuch@host.example> orig_to=<nosuch@host.example> relay=relay-host dsn=2.0.0 (250 ok via relay)");

        // mailbox_transport comes before mailbox_command and takes unknown users too (Postfix's order)
        got.clear();
        f.report.entries.clear();
        f.params.put("mailbox_transport", "lmtp:unix:private/dovecot-lmtp");
        localWithAgents(got, "team@host.example", "nosuch@host.example");
        assertThat(got).containsExactly("lmtp unix:private/dovecot-lmtp alice@host.example from s@remote.example",
                "lmtp unix:private/dovecot-lmtp nosuch@host.example from s@remote.example");

        // mailbox_transport_maps (by user name) before mailbox_transport
        got.clear();
        f.params.put("mailbox_transport_maps", "inline:{alice=smtp:[127.0.0.1]:2525}");
        localWithAgents(got, "alice@host.example", "nosuch@host.example");
        assertThat(got).containsExactly("smtp [127.0.0.1]:2525 alice@host.example from s@remote.example",
                "lmtp unix:private/dovecot-lmtp nosuch@host.example from s@remote.example");
        assertThat(tmp.resolve("mail/alice")).doesNotExist();
    }

    @Test
    void mailboxCommandMapsComeBeforeMailboxCommandAndAMissingTransportDefers() throws Exception {
        java.nio.file.Path out = tmp.resolve("by-map");
        f.params.put("mailbox_command_maps", "inline:{{alice=/bin/sh -c 'cat > " + out + "'}}");
        f.params.put("mailbox_command", "/bin/false");
        f.local("s@remote.example", MSG, "alice@host.example");
        assertThat(out).exists();
        assertThat(f.report.lines()).first().asString().startsWith("sent to=<alice@host.example>");

        f.report.entries.clear();
        f.params.put("fallback_transport_maps", "inline:{nosuch=missing}");
        localWithAgents(new java.util.ArrayList<>(), "nosuch@host.example");
        assertThat(f.report.lines()).containsExactly(
                "deferred to=<nosuch@host.example> orig_to=<nosuch@host.example> relay=local dsn=4.3.0 (mail transport unavailable)");
    }

    @Test
    void aliasLoopEnds() throws Exception {
        aliases("x1 x2\nx2 x1\n");
        f.local("s@remote.example", MSG, "x1@host.example");
        assertThat(f.report.lines()).containsExactly(
                "bounced to=<x1@host.example> orig_to=<x1@host.example> relay=local dsn=5.1.1 (unknown user: \"x1\")");
    }

    @Test
    void remoteMembersShareOneNewQueueFileAndOneReport() throws Exception {
        aliases("list a@elsewhere.example, b@elsewhere.example, a@elsewhere.example\nowner-list admin\n");
        f.local("s@remote.example", MSG, "List@host.example");
        assertThat(f.report.lines()).containsExactly(
                "sent to=<List@host.example> orig_to=<List@host.example> relay=local dsn=2.0.0 (forwarded as FWD1)");
        assertThat(f.cleanup.messages).hasSize(1);
        assertThat(f.cleanup.messages.get(0).recipients()).containsExactly("a@elsewhere.example", "b@elsewhere.example");
        assertThat(f.cleanup.messages.get(0).sender()).isEqualTo("owner-list@host.example");
        assertThat(f.cleanup.messages.get(0).content()).startsWith("Delivered-To: list@host.example\n");
    }
}
