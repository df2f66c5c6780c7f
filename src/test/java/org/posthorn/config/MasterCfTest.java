package org.posthorn.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class MasterCfTest {
    private static final Path FILE = Path.of("/etc/x/master.cf");

    private static MasterCf parse(String text) throws ConfigException {
        return MasterCf.parse(FILE, List.of(text.split("\n")));
    }

    @Test
    void allColumnsAndContinuationLines() throws ConfigException {
        MasterCf m = parse("""
                # comment
                smtp      inet  n       -       y       -       -       smtpd
                submission inet n       -       y       -       -       smtpd
                  -o syslog_name=postfix/submission

                  # comment between continuation lines
                  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }
                pickup    unix  n       -       y       60      1       pickup
                tlsmgr    unix  -       -       y       1000?   1       tlsmgr
                127.0.0.1:10025 inet n  -       n       -       -       smtpd -o content_filter=
                [::1]:10026 inet n      -       n       -       0       smtpd
                postlog   unix-dgram n  -       n       -       1       postlogd
                dovecot   unix  -       n       n       -       -       pipe
                  flags=DRhu user=vmail:vmail argv=/usr/lib/dovecot/deliver -f ${sender} -d ${recipient}
                """);
        assertThat(m.services()).extracting(MasterCf.Service::key).containsExactly("smtp/inet", "submission/inet",
                "pickup/unix", "tlsmgr/unix", "127.0.0.1:10025/inet", "[::1]:10026/inet", "postlog/unix-dgram",
                "dovecot/unix");
        MasterCf.Service sub = m.services().get(1);
        assertThat(sub.line()).isEqualTo(3);
        assertThat(sub.overrides()).containsExactly(Map.entry("syslog_name", "postfix/submission"),
                Map.entry("smtpd_client_restrictions", "permit_sasl_authenticated, reject"));
        assertThat(sub.commandWords()).containsExactly("smtpd", "-o", "syslog_name=postfix/submission", "-o",
                "{smtpd_client_restrictions=permit_sasl_authenticated, reject}");
        assertThat(sub.isPrivate()).isFalse();
        MasterCf.Service pickup = m.services().get(2);
        assertThat(pickup.wakeupSeconds()).isEqualTo(60);
        assertThat(pickup.maxproc(Config.of(FILE.getParent(), Map.of()))).isEqualTo(1);
        assertThat(pickup.isUnprivileged()).isTrue();
        assertThat(pickup.isChroot()).isTrue();
        MasterCf.Service tlsmgr = m.services().get(3);
        assertThat(tlsmgr.wakeupSeconds()).isEqualTo(1000);
        assertThat(tlsmgr.wakeupAfterFirstUse()).isTrue();
        assertThat(tlsmgr.isPrivate()).isTrue();
        assertThat(m.services().get(4).overrides()).containsExactly(Map.entry("content_filter", ""));
        assertThat(m.services().get(5).maxproc(Config.of(FILE.getParent(), Map.of()))).isZero();
        MasterCf.Service dovecot = m.services().get(7);
        assertThat(dovecot.isUnprivileged()).isFalse();
        assertThat(dovecot.overrides()).isEmpty();
        assertThat(dovecot.args()).containsExactly("flags=DRhu", "user=vmail:vmail",
                "argv=/usr/lib/dovecot/deliver", "-f", "${sender}", "-d", "${recipient}");
        assertThat(m.services().getFirst().maxproc(Config.of(FILE.getParent(), Map.of("default_process_limit", "7"))))
                .isEqualTo(7);
    }

    @Test
    void overridesAsTheDaemonsGetoptReadsThem() throws ConfigException {
        MasterCf.Service s = parse("x unix - - n - - smtpd -v -oa=1 -o b=2 -t x -o c = 3 argv -o d=4").services().getFirst();
        assertThat(s.overrides()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
    }

    @Test
    void groupsAfterTheOptionsKeepTheirSpaces() throws ConfigException {
        MasterCf.Service s = parse("x unix - - n - - pipe argv=/bin/x {a b} -o { a = b c }").services().getFirst();
        assertThat(s.args()).containsExactly("argv=/bin/x", "a b", "-o", "a = b c");
        assertThat(s.commandWords()).containsExactly("pipe", "argv=/bin/x", "{a b}", "-o", "{a = b c}");
    }

    @Test
    void laterDuplicateReplacesEarlierButEntriesKeepBoth() throws ConfigException {
        MasterCf m = parse("smtp inet n - n - - smtpd -o a=b\nsmtp inet n - y - 5 smtpd\n");
        assertThat(m.services()).hasSize(1);
        assertThat(m.services().getFirst().maxprocColumn()).isEqualTo("5");
        assertThat(m.entries()).hasSize(2);
    }

    @Test
    void warnings() throws ConfigException {
        MasterCf m = parse("  smtp inet n - n - - smtpd\nsmtp inet n - n - - smtpd -o { a = b\n");
        assertThat(m.warnings()).containsExactly(
                "/etc/x/master.cf: logical line must not start with whitespace: \"  smtp inet n - n - - smtpd\"",
                "master.cf: missing '}' in \"{ a = b\"");
        assertThat(m.entries().getFirst().overrides()).containsExactly(Map.entry("a", "b"));
    }

    private static MasterCf checked(String text) throws ConfigException {
        return MasterCf.parseChecked(FILE, List.of(text.split("\n")));
    }

    @Test
    void errorsNameFileAndLine() throws ConfigException {
        assertThatThrownBy(() -> parse("# c\nsmtp inet n - n - -\n")).isInstanceOf(ConfigException.class)
                .hasMessage("file /etc/x/master.cf: line 2: bad field count");
        assertThat(parse("smtp bogus n - n - - smtpd").entries()).as("the master checks columns itself").hasSize(1);
        assertThatThrownBy(() -> checked("smtp bogus n - n - - smtpd"))
                .hasMessage("file /etc/x/master.cf: line 1: invalid type field \"bogus\" in \"smtp bogus n - n - - smtpd\"");
        assertThatThrownBy(() -> checked("smtp inet n - n - x smtpd"))
                .hasMessageContaining("invalid process_limit field \"x\"");
        assertThatThrownBy(() -> checked("# c\n\nsmtp inet n - n - -1 smtpd"))
                .hasMessage("file /etc/x/master.cf: line 3: invalid process_limit field \"-1\" in \"smtp inet n - n - -1 smtpd\"");
        assertThatThrownBy(() -> checked("smtp inet n - n 1?? - smtpd")).hasMessageContaining("invalid wakeup field \"1??\"");
        assertThatThrownBy(() -> checked("smtp inet q - n - - smtpd")).hasMessageContaining("invalid private field \"q\"");
        assertThatThrownBy(() -> checked("smtp inet n q n - - smtpd")).hasMessageContaining("invalid unprivileged field \"q\"");
        assertThatThrownBy(() -> checked("smtp inet n - q - - smtpd")).hasMessageContaining("invalid chroot field \"q\"");
    }

    @Test
    void editedCopiesOfARow() throws ConfigException {
        MasterCf.Service s = parse("smtp inet n - y - - smtpd -o a=1 -v -o b=2").services().getFirst();
        assertThat(s.withOption("c", "3").args()).containsExactly("-o", "a=1", "-v", "-o", "b=2", "-o", "c=3");
        assertThat(s.withOption("a", "9").args()).containsExactly("-o", "a=9", "-v", "-o", "b=2");
        assertThat(s.withOption("a", null).args()).containsExactly("-v", "-o", "b=2");
        assertThat(s.withOption("b", null).withOption("a", null).args()).containsExactly("-v");
        MasterCf.Service pipe = parse("x unix - n n - - pipe flags=R argv=/bin/true").services().getFirst();
        assertThat(pipe.withOption("d", "4").args()).containsExactly("-o", "d=4", "flags=R", "argv=/bin/true");
        assertThat(s.withField("process_limit", "5").maxprocColumn()).isEqualTo("5");
        assertThat(s.withField("command", "local -v").commandWords()).containsExactly("local", "-v");
        assertThatThrownBy(() -> s.withField("wakeup", "bad")).hasMessageContaining("invalid wakeup field");
        assertThatThrownBy(() -> s.withField("maxproc", "5")).hasMessage("invalid service attribute name: \"maxproc\"");
        MasterCf.Service relay = parse("relay unix - - n - - smtp -o syslog_name=postfix/$service_name -o x=$myhostname")
                .services().getFirst();
        assertThat(relay.withExpandedOptions(Config.of(FILE.getParent(), Map.of("myhostname", "h.example"))).overrides())
                .containsExactly(Map.entry("syslog_name", "postfix/relay"), Map.entry("x", "h.example"));
    }

    @Test
    void postconfLayout() throws ConfigException {
        MasterCf m = parse("""
                scalemail-backend unix - n n - 2 pipe flags=R user=scalemail argv=/usr/lib/scalemail/bin/scalemail-store ${nexthop} ${user} ${extension}
                127.0.0.1:10025 inet n - n - - smtpd -o content_filter= -o mynetworks=127.0.0.0/8
                postlog unix-dgram n - n - 1 postlogd
                """);
        assertThat(PostconfFormat.masterEntry(m.entries().get(0), false)).isEqualTo(
                "scalemail-backend unix - n       n       -       2       pipe flags=R user=scalemail argv=/usr/lib/scalemail/bin/scalemail-store ${nexthop} ${user} ${extension}");
        assertThat(PostconfFormat.masterEntry(m.entries().get(0), true)).isEqualTo("""
                scalemail-backend unix - n       n       -       2       pipe flags=R
                    user=scalemail argv=/usr/lib/scalemail/bin/scalemail-store ${nexthop}
                    ${user} ${extension}""");
        assertThat(PostconfFormat.masterEntry(m.entries().get(1), true)).isEqualTo("""
                127.0.0.1:10025 inet n   -       n       -       -       smtpd
                    -o content_filter=
                    -o mynetworks=127.0.0.0/8""");
        assertThat(PostconfFormat.masterEntry(m.entries().get(2), false))
                .isEqualTo("postlog    unix-dgram n  -       n       -       1       postlogd");
    }
}
