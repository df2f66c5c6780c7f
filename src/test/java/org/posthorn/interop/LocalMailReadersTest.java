package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.local.Fixture;

/**
 * What local(8) writes is read back by GNU Mailutils (frm, readmsg) and Python's mailbox
 * module; its locks hold off, and wait for, other programs: GNU dotlock and a Python fcntl
 * lock.
 */
@Tag("interop")
class LocalMailReadersTest {
    @TempDir
    Path tmp;
    Fixture f;

    @BeforeEach
    void setUp() throws IOException {
        f = new Fixture(tmp);
        f.user("alice");
        Files.createDirectories(tmp.resolve("mail"));
        f.params.put("mail_spool_directory", tmp.resolve("mail").toString());
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // frm's exit status says whether there is new mail, not whether it worked
        if (!cmd[0].equals("frm")) assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }

    private static void needs(String program) {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin", program)), program + " is not installed (apt-get install mailutils)");
    }

    @Test
    void mailutilsReadsMboxAndMaildir() throws Exception {
        needs("frm");
        f.local("one@remote.example", "Subject: first\nFrom: one@remote.example\n\nFrom the start\nbye\n", "alice@host.example");
        f.local("", "Subject: second\nFrom: two@remote.example\n\nbody\n", "alice@host.example");
        Path box = tmp.resolve("mail/alice");
        assertThat(run("frm", box.toString())).isEqualTo("one@remote.example\tfirst\ntwo@remote.example\tsecond\n");
        assertThat(run("readmsg", "-f", box.toString(), "1")).contains("From the start\nbye\n").doesNotContain(">From");
        f.params.put("mail_spool_directory", tmp.resolve("maildirs") + "/");
        f.local("one@remote.example", "Subject: third\nFrom: three@remote.example\n\nx\n", "alice@host.example");
        assertThat(run("frm", "maildir://" + tmp.resolve("maildirs/alice"))).isEqualTo("three@remote.example\tthird\n");
    }

    @Test
    void pythonMailboxModuleReadsBoth() throws Exception {
        f.local("one@remote.example", "Subject: first\n\nFrom here\n", "alice@host.example");
        f.params.put("mail_spool_directory", tmp.resolve("maildirs") + "/");
        f.local("one@remote.example", "Subject: second\n\nx\n", "alice@host.example");
        String script = "import mailbox,sys\n"
                + "for m in mailbox.mbox(sys.argv[1]): print(m.get_from(), '|', m['Subject'], '|', m['Delivered-To'], '|', m.get_payload().strip())\n"
                + "for k, m in mailbox.Maildir(sys.argv[2], create=False).items(): print(m['Subject'], '|', m['Return-Path'])\n";
        String out = run("python3", "-c", script, tmp.resolve("mail/alice").toString(), tmp.resolve("maildirs/alice").toString());
        assertThat(out).matches("one@remote\\.example  .+ \\| first \\| alice@host\\.example \\| >From here\nsecond \\| <one@remote\\.example>\n");
    }

    @Test
    void gnuDotlockHoldsOffDelivery() throws Exception {
        needs("dotlock");
        Path box = tmp.resolve("mail/alice");
        Files.writeString(box, "");
        org.posthorn.local.Ownership.giveTo(box, Fixture.USER_UID, Fixture.USER_UID);
        run("dotlock", box.toString());
        assertThat(tmp.resolve("mail/alice.lock")).exists();
        f.local("s@remote.example", "Subject: x\n\ny\n", "alice@host.example");
        assertThat(f.report.entries.get(0).kind()).isEqualTo("deferred");
        assertThat(Files.size(box)).isZero();
        run("dotlock", "-u", box.toString());
        f.local("s@remote.example", "Subject: x\n\ny\n", "alice@host.example");
        assertThat(f.report.entries.get(1).kind()).isEqualTo("sent");
        assertThat(tmp.resolve("mail/alice.lock")).doesNotExist();
    }

    @Test
    void fcntlLockOfAnotherProcessHoldsOffDelivery() throws Exception {
        Path box = tmp.resolve("mail/alice");
        Files.writeString(box, "");
        org.posthorn.local.Ownership.giveTo(box, Fixture.USER_UID, Fixture.USER_UID);
        Path ready = tmp.resolve("ready");
        Process holder = new ProcessBuilder("python3", "-c",
                "import fcntl,sys,time\nf=open(sys.argv[1],'r+')\nfcntl.lockf(f, fcntl.LOCK_EX)\nopen(sys.argv[2],'w').close()\n"
                        + "sys.stdin.read()\n", box.toString(), ready.toString()).start();
        try {
            for (int i = 0; i < 200 && !Files.exists(ready); i++) Thread.sleep(25);
            assertThat(ready).exists();
            f.local("s@remote.example", "Subject: x\n\ny\n", "alice@host.example");
            assertThat(f.report.entries.get(0).kind()).isEqualTo("deferred");
            assertThat(f.report.entries.get(0).status().text()).contains("unable to lock for exclusive access");
            assertThat(tmp.resolve("mail/alice.lock")).doesNotExist();
        } finally {
            holder.getOutputStream().close();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        f.local("s@remote.example", "Subject: x\n\ny\n", "alice@host.example");
        assertThat(f.report.entries.get(1).kind()).isEqualTo("sent");
    }

    @Test
    void weHoldOffAnotherFcntlLocker() throws Exception {
        Path box = tmp.resolve("mail/alice");
        Files.writeString(box, "");
        var lock = new org.posthorn.local.MailboxLock(java.util.List.of("fcntl", "dotlock"), 1, java.time.Duration.ZERO,
                java.time.Duration.ofSeconds(500));
        try (var ch = java.nio.channels.FileChannel.open(box, java.nio.file.StandardOpenOption.WRITE);
             var held = lock.lock(box, ch, null)) {
            String out = run("python3", "-c", "import fcntl,sys\nf=open(sys.argv[1],'r+')\n"
                    + "try:\n  fcntl.lockf(f, fcntl.LOCK_EX|fcntl.LOCK_NB); print('free')\nexcept OSError: print('busy')\n", box.toString());
            assertThat(out.strip()).isEqualTo("busy");
            assertThat(tmp.resolve("mail/alice.lock")).exists();
        }
        assertThat(tmp.resolve("mail/alice.lock")).doesNotExist();
    }
}
