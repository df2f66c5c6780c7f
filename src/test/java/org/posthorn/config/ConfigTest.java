package org.posthorn.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    @TempDir
    Path dir;

    private Config load(String mainCf) throws IOException {
        Files.writeString(dir.resolve("main.cf"), mainCf);
        return Config.load(dir);
    }

    @Test
    void commentsContinuationLinesAndWhiteSpace() throws IOException {
        Config c = load("""
                # comment
                smtpd_recipient_restrictions = permit_mynetworks,
                    reject_unauth_destination,

                  # a comment inside does not end the value
                \tcheck_policy_service inet:127.0.0.1:10023
                myorigin=foo  \s
                relayhost    =    [a]:25 # not a comment
                """);
        assertThat(c.getList("smtpd_recipient_restrictions")).containsExactly("permit_mynetworks",
                "reject_unauth_destination", "check_policy_service", "inet:127.0.0.1:10023");
        assertThat(c.get("myorigin")).isEqualTo("foo");
        assertThat(c.get("relayhost")).isEqualTo("[a]:25 # not a comment");
        assertThat(c.raw("myorigin")).isEqualTo("foo");
    }

    @Test
    void laterDefinitionWinsWithAWarning() throws IOException {
        Config c = load("myorigin = a\nmyorigin = b\nrelayhost = x\nrelayhost = x\n");
        assertThat(c.get("myorigin")).isEqualTo("b");
        assertThat(c.warnings()).containsExactly(dir + "/main.cf, line 2: overriding earlier entry: myorigin=a");
    }

    @Test
    void leadingWhiteSpaceOnTheFirstLineIsWarnedAndSkipped() throws IOException {
        Config c = load("  leading = 1\nmyorigin = a\n");
        assertThat(c.isSet("leading")).isFalse();
        assertThat(c.warnings()).containsExactly(dir + "/main.cf: logical line must not start with whitespace: \"  leading = 1\"");
    }

    @Test
    void syntaxErrorsNameFileAndLine() {
        assertThatThrownBy(() -> load("myorigin = a\ngarbage\n")).isInstanceOf(ConfigSyntaxException.class)
                .hasMessage(dir + "/main.cf, line 2: missing '=' after attribute name: \"garbage\"");
        assertThatThrownBy(() -> load("myorigin = a\n=x\n"))
                .hasMessage(dir + "/main.cf, line 2: missing attribute name: \"=x\"");
        assertThatThrownBy(() -> load("my origin = a\n"))
                .hasMessage(dir + "/main.cf, line 1: missing '=' after attribute name: \"my origin = a\"");
    }

    @Test
    void missingMainCfMeansDefaults() throws IOException {
        Config c = Config.load(dir);
        assertThat(c.get("queue_directory")).isEqualTo("/var/spool/postfix");
        assertThat(c.getInt("default_process_limit")).isEqualTo(100);
        assertThat(c.raw("no_such_parameter")).isNull();
        assertThat(c.get("no_such_parameter")).isEmpty();
    }

    @Test
    void lazyExpansionSeesLaterDefinitionsAndOverrides() throws IOException {
        Config c = load("myorigin = $mydomain\nmydomain = example.com\n");
        assertThat(c.get("myorigin")).isEqualTo("example.com");
        Config o = c.withOverrides(Map.of("mydomain", "example.net"));
        assertThat(o.get("myorigin")).isEqualTo("example.net");
        assertThat(c.get("myorigin")).as("the original view is unchanged").isEqualTo("example.com");
    }

    @Test
    void computedDefaultsFollowTheirInputs() {
        Config c = Config.of(dir, Map.of("myhostname", "mail.example.org"));
        assertThat(c.get("mydomain")).isEqualTo("example.org");
        assertThat(c.get("mydestination")).isEqualTo("mail.example.org, localhost.example.org, localhost");
        assertThat(Config.of(dir, Map.of("myhostname", "example.com")).get("mydomain")).isEqualTo("com");
        assertThat(c.get("mail_version")).isEqualTo(Defaults.POSTHORN_VERSION);
        assertThat(Config.of(dir, Map.of("inet_interfaces", "loopback-only", "inet_protocols", "ipv4",
                "mynetworks_style", "host")).get("mynetworks")).isEqualTo("127.0.0.1/32");
        assertThat(Config.of(dir, Map.of("inet_interfaces", "loopback-only", "inet_protocols", "ipv4"))
                .get("mynetworks")).as("compatibility level 0 means subnet style").isEqualTo("127.0.0.0/8");
    }

    @Test
    void compatibilityLevelDefaults() {
        assertThat(Config.of(dir, Map.of()).get("smtpd_relay_restrictions")).isEmpty();
        assertThat(Config.of(dir, Map.of("compatibility_level", "3.6")).get("smtpd_relay_restrictions"))
                .isEqualTo("permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination");
        assertThat(Config.of(dir, Map.of("compatibility_level", "3.6")).getBool("append_dot_mydomain")).isFalse();
        assertThat(Config.of(dir, Map.of()).getBool("append_dot_mydomain")).isTrue();
    }

    @Test
    void booleans() {
        Config c = Config.of(dir, Map.of("biff", "YES", "soft_bounce", "no", "strict_8bitmime", "maybe"));
        assertThat(c.getBool("biff")).isTrue();
        assertThat(c.getBool("soft_bounce")).isFalse();
        assertThatThrownBy(() -> c.getBool("strict_8bitmime")).isInstanceOf(ParameterException.class)
                .hasMessage("bad boolean configuration: strict_8bitmime = maybe");
    }

    @Test
    void integersAndSizes() {
        Config c = Config.of(dir, Map.of("smtpd_recipient_limit", "+50", "message_size_limit", "52428800000",
                "smtpd_hard_error_limit", "20x", "mailbox_size_limit", "-1"));
        assertThat(c.getInt("smtpd_recipient_limit")).isEqualTo(50);
        assertThat(c.getSize("message_size_limit")).isEqualTo(52_428_800_000L);
        assertThatThrownBy(() -> c.getInt("smtpd_hard_error_limit"))
                .hasMessage("bad numerical configuration: smtpd_hard_error_limit = 20x");
        assertThatThrownBy(() -> c.getSize("mailbox_size_limit"))
                .hasMessage("bad numerical configuration: mailbox_size_limit = -1");
        assertThatThrownBy(() -> c.getInt("unknown_thing")).hasMessage("bad numerical configuration: unknown_thing = ");
    }

    @Test
    void timesWithUnitsAndEachParametersDefaultUnit() {
        Config c = Config.of(dir, Map.of("maximal_queue_lifetime", "2w", "minimal_backoff_time", "300",
                "address_verify_negative_expire_time", "2", "address_verify_cache_cleanup_interval", "3",
                "smtpd_timeout", "${stress?{10}:{300}}s", "queue_run_delay", "5m", "bounce_queue_lifetime", "1x"));
        assertThat(c.getTime("maximal_queue_lifetime")).isEqualTo(14 * 86400);
        assertThat(c.getTime("minimal_backoff_time")).isEqualTo(300);
        assertThat(c.getTime("address_verify_negative_expire_time")).as("default unit d").isEqualTo(2 * 86400);
        assertThat(c.getTime("address_verify_cache_cleanup_interval")).as("default unit h").isEqualTo(3 * 3600);
        assertThat(c.getTime("smtpd_timeout")).isEqualTo(300);
        assertThat(c.withOverrides(Map.of("stress", "yes")).getTime("smtpd_timeout")).isEqualTo(10);
        assertThat(c.getTime("queue_run_delay")).isEqualTo(300);
        assertThat(Config.of(dir, Map.of()).getTime("maximal_queue_lifetime")).isEqualTo(5 * 86400);
        assertThatThrownBy(() -> c.getTime("bounce_queue_lifetime"))
                .hasMessage("parameter bounce_queue_lifetime: bad time value or unit: 1x");
    }

    @Test
    void listsSplitOnCommasAndWhiteSpaceKeepingBraceGroups() {
        Config c = Config.of(dir, Map.of(
                "transport_maps", "inline:{ example.org=smtp:[10.0.0.1], example.net=lmtp:unix:private/lmtp }, hash:/etc/postfix/transport",
                "smtpd_sender_restrictions", "check_sender_access inline:{ { a@b = REJECT }, { c = REJECT no } },reject",
                "mydestination", " a,,b  c,\n d "));
        assertThat(c.getList("transport_maps")).containsExactly(
                "inline:{ example.org=smtp:[10.0.0.1], example.net=lmtp:unix:private/lmtp }", "hash:/etc/postfix/transport");
        assertThat(c.getList("smtpd_sender_restrictions")).containsExactly("check_sender_access",
                "inline:{ { a@b = REJECT }, { c = REJECT no } }", "reject");
        assertThat(c.getList("mydestination")).containsExactly("a", "b", "c", "d");
        assertThat(Config.of(dir, Map.of()).getList("relayhost")).isEmpty();
    }

    @Test
    void rawParametersAreNotExpanded() {
        Config c = Config.of(dir, Map.of("mailbox_command", "/usr/bin/procmail -a \"$EXTENSION\""));
        assertThat(c.get("mailbox_command")).isEqualTo("/usr/bin/procmail -a \"$EXTENSION\"");
        assertThat(c.get("forward_path")).isEqualTo("$home/.forward${recipient_delimiter}${extension}, $home/.forward");
    }

    @Test
    void expansionErrorsNameTheProblem() {
        Config c = Config.of(dir, Map.of("relayhost", "$myorigin", "myorigin", "$relayhost", "myhostname", "${a"));
        assertThatThrownBy(() -> c.get("relayhost")).isInstanceOf(ParameterException.class)
                .hasMessageStartingWith("unreasonable macro call nesting: ");
        assertThatThrownBy(() -> c.get("myhostname")).hasMessage("truncated macro reference: \"${a\"");
    }

    @Test
    void legacyAndServiceParameters() {
        Config c = Config.of(dir, Map.of("postscreen_blacklist_action", "drop"));
        assertThat(c.get("postscreen_denylist_action")).isEqualTo("drop");
        assertThat(Config.of(dir, Map.of()).get("postscreen_denylist_action")).isEqualTo("ignore");
        assertThat(c.raw("relay_destination_concurrency_limit")).isEqualTo("$default_destination_concurrency_limit");
        assertThat(c.getInt("relay_destination_concurrency_limit")).isEqualTo(20);
        assertThat(c.getTime("maildrop_time_limit")).isEqualTo(1000);
    }

    @Test
    void splitListHelper() {
        assertThat(Config.splitList("a, {b c}, d{e,f}g")).isEqualTo(List.of("a", "{b c}", "d{e,f}g"));
    }
}
