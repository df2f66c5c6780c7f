package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.config.DefaultInstance;
import org.posthorn.config.ConfigSyntaxException;
import org.posthorn.config.MainCf;
import org.posthorn.config.MasterCf;
import org.posthorn.master.MasterCfCheck;

/** The checkout's default instance, checked by Debian's postconf and by our own checks. */
@Tag("interop")
class DefaultInstanceTest {
    @TempDir
    Path home;

    @Test
    void theDefaultInstanceIsAValidPostfixConfigurationUnderTheCheckout() throws Exception {
        Path etc = home.resolve("var/etc");
        DefaultInstance.create(home, etc);
        Config c = Config.load(etc);
        String user = System.getProperty("user.name");
        assertThat(c.get("queue_directory")).isEqualTo(home + "/var/spool");
        assertThat(c.get("data_directory")).isEqualTo(home + "/var/lib");
        assertThat(c.get("maillog_file")).isEqualTo(home + "/var/log/maillog");
        assertThat(c.get("maillog_file")).startsWith(c.get("maillog_file_prefixes"));
        assertThat(c.get("mail_spool_directory")).isEqualTo(home + "/var/mail/");
        assertThat(c.get("mail_owner")).isEqualTo(user);
        assertThat(c.get("inet_interfaces")).isEqualTo("127.0.0.1");
        assertThat(Files.readString(etc.resolve("aliases"))).contains("postmaster: " + user);
        assertThat(MainCf.read(etc.resolve("main.cf"), "main.cf").warnings()).isEmpty();
        MasterCf table = MasterCf.load(etc);
        assertThat(MasterCfCheck.check(table, c)).isEmpty();
        assertThat(table.services()).anySatisfy(s -> assertThat(s.name() + " " + s.type() + " " + s.command())
                .isEqualTo("127.0.0.1:2525 inet smtpd"));

        Path postconf = Path.of("/usr/sbin/postconf");
        Assumptions.assumeTrue(Files.isExecutable(postconf), "Debian's postconf is not installed");
        PostfixCommandTest.Result r = PostfixCommandTest.run(List.of(postconf.toString(), "-c", etc.toString(), "-n"), Map.of());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("queue_directory = " + home + "/var/spool\n", "mail_owner = " + user + "\n");
        PostfixCommandTest.Result m = PostfixCommandTest.run(List.of(postconf.toString(), "-c", etc.toString(), "-M"), Map.of());
        assertThat(m.status()).as(m.err()).isZero();
        assertThat(m.out()).containsPattern("(?m)^127\\.0\\.0\\.1:2525 +inet +n +- +n +- +- +smtpd$");
    }

    @Test
    void anExistingInstanceIsLeftAlone() throws Exception {
        Path etc = home.resolve("var/etc");
        DefaultInstance.create(home, etc);
        Files.writeString(etc.resolve("main.cf"), "myhostname = edited.example\n");
        DefaultInstance.create(home, etc);
        assertThat(Files.readString(etc.resolve("main.cf"))).isEqualTo("myhostname = edited.example\n");
    }

    @Test
    void ourMainCfErrorHasDebianPostconfsWords() throws Exception {
        Path postconf = Path.of("/usr/sbin/postconf");
        Assumptions.assumeTrue(Files.isExecutable(postconf), "Debian's postconf is not installed");
        Files.writeString(home.resolve("main.cf"), "myhostname = a.b\nbogus line here\n  continued\n");
        PostfixCommandTest.Result r = PostfixCommandTest.run(List.of(postconf.toString(), "-c", home.toString(), "-n"), Map.of());
        assertThat(r.status()).isEqualTo(1);
        Path mainCf = home.resolve("main.cf");
        assertThatThrownBy(() -> MainCf.read(mainCf, mainCf.toString())).isInstanceOf(ConfigSyntaxException.class)
                .satisfies(e -> assertThat(r.err().strip()).endsWith("postconf: fatal: " + e.getMessage()));
    }
}
