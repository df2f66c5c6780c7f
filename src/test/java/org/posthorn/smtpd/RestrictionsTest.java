package org.posthorn.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;

/** The restriction lists against a map-backed access table (the table factory is another helper's work). */
class RestrictionsTest {
    private final List<String> lookups = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private Restrictions restrictions(Map<String, String> access, String... settings) {
        Map<String, String> cf = new java.util.HashMap<>();
        for (int i = 0; i < settings.length; i += 2) cf.put(settings[i], settings[i + 1]);
        Restrictions r = new Restrictions(Config.of(Path.of("/nonexistent"), cf), NetworkList.parse("10.0.0.0/8"), "<>",
                spec -> {
                    if (spec.equals("hash:/broken")) throw new TableException("cannot open");
                    return new Table() {
                        @Override
                        public String name() {
                            return spec;
                        }

                        @Override
                        public String lookup(String key) throws TableException {
                            lookups.add(key);
                            if (key.equals("fail@example.com")) throw new TableException("timeout");
                            return access.get(key);
                        }
                    };
                }, Log.of("smtpd"));
        r.onWarning(notes::add);
        return r;
    }

    private static Restrictions.State state(String client, String helo, String sender, String rcpt) throws Exception {
        InetAddress a = InetAddress.getByName(client);
        return new Restrictions.State() {
            @Override
            public String clientName() {
                return "mail.example.org";
            }

            @Override
            public String clientAddress() {
                return client;
            }

            @Override
            public InetAddress clientInetAddress() {
                return a;
            }

            @Override
            public String helo() {
                return helo;
            }

            @Override
            public String sender() {
                return sender;
            }

            @Override
            public String recipient() {
                return rcpt;
            }

            @Override
            public boolean illegalPipelining() {
                return false;
            }
        };
    }

    private static String reply(Verdict.Reject r) {
        return r == null ? null : r.reply();
    }

    @Test
    void accessResultsGivePostfixReplies() throws Exception {
        Map<String, String> access = Map.of("rej@example.com", "REJECT", "def@example.com", "DEFER go away",
                "num@example.com", "550 5.1.1 no such user", "code@example.com", "450 try later",
                "ok@example.com", "OK", "digits@example.com", "12345", "example.com", "REJECT domain says no");
        Restrictions r = restrictions(access, "smtpd_recipient_restrictions", "check_recipient_access hash:/a");
        Restrictions.Stage rcpt = Restrictions.Stage.RECIPIENT;
        assertThat(reply(r.check(state("192.0.2.1", "h.test", "s@x.test", "rej@example.com"), rcpt)))
                .isEqualTo("554 5.7.1 <rej@example.com>: Recipient address rejected: Access denied");
        assertThat(reply(r.check(state("192.0.2.1", "h.test", "s@x.test", "def@example.com"), rcpt)))
                .isEqualTo("450 4.7.1 <def@example.com>: Recipient address rejected: go away");
        assertThat(reply(r.check(state("192.0.2.1", "h.test", "s@x.test", "num@example.com"), rcpt)))
                .isEqualTo("550 5.1.1 <num@example.com>: Recipient address rejected: no such user");
        assertThat(reply(r.check(state("192.0.2.1", "h.test", "s@x.test", "code@example.com"), rcpt)))
                .isEqualTo("450 4.7.1 <code@example.com>: Recipient address rejected: try later");
        assertThat(r.check(state("192.0.2.1", "h.test", "s@x.test", "ok@example.com"), rcpt)).isNull();
        assertThat(r.check(state("192.0.2.1", "h.test", "s@x.test", "digits@example.com"), rcpt)).isNull();
        // the domain entry catches other users
        assertThat(reply(r.check(state("192.0.2.1", "h.test", "s@x.test", "other@example.com"), rcpt)))
                .isEqualTo("554 5.7.1 <other@example.com>: Recipient address rejected: domain says no");
        assertThat(r.check(state("192.0.2.1", "h.test", "s@x.test", "x@elsewhere.test"), rcpt)).isNull();
    }

    @Test
    void addressKeysGoFromTheFullAddressToParentDomainsToTheLocalPart() {
        assertThat(Restrictions.addressKeys("User@Mail.Example.COM"))
                .containsExactly("user@mail.example.com", "mail.example.com", "example.com", "com", "user@");
        assertThat(Restrictions.clientKeys("mx.example.org", "192.0.2.7", null))
                .containsExactly("mx.example.org", "example.org", "org", "192.0.2.7", "192.0.2", "192.0", "192");
        assertThat(Restrictions.clientKeys("unknown", "192.0.2.7", null)).startsWith("192.0.2.7");
    }

    @Test
    void dunnoStopsTheSearchAndTheNextRestrictionDecides() throws Exception {
        Restrictions r = restrictions(Map.of("a@example.com", "DUNNO", "example.com", "REJECT"),
                "smtpd_recipient_restrictions", "check_recipient_access hash:/a, permit");
        assertThat(r.check(state("192.0.2.1", "h.test", "s@x.test", "a@example.com"), Restrictions.Stage.RECIPIENT))
                .isNull();
        assertThat(lookups).containsExactly("a@example.com");
    }

    @Test
    void theNullSenderIsLookedUpWithTheNullAccessKey() throws Exception {
        Restrictions r = restrictions(Map.of("<>", "REJECT no bounces here"),
                "smtpd_sender_restrictions", "check_sender_access hash:/a");
        assertThat(reply(r.check(state("192.0.2.1", "h.test", "", "r@x.test"), Restrictions.Stage.SENDER)))
                .isEqualTo("554 5.7.1 <>: Sender address rejected: no bounces here");
    }

    @Test
    void clientAndHeloAccessUseNameThenAddressPrefixes() throws Exception {
        Restrictions r = restrictions(Map.of("192.0.2", "REJECT", "bad.test", "550 5.7.0 go away"),
                "smtpd_client_restrictions", "check_client_access cidr:/x",
                "smtpd_helo_restrictions", "check_helo_access hash:/h");
        assertThat(reply(r.check(state("192.0.2.7", "h.test", null, null), Restrictions.Stage.CLIENT)))
                .isEqualTo("554 5.7.1 <mail.example.org[192.0.2.7]>: Client host rejected: Access denied");
        assertThat(reply(r.check(state("198.51.100.1", "x.bad.test", null, null), Restrictions.Stage.HELO)))
                .isEqualTo("550 5.7.0 <x.bad.test>: Helo command rejected: go away");
    }

    @Test
    void permitMynetworksEndsOnlyItsOwnList() throws Exception {
        Restrictions r = restrictions(Map.of(), "smtpd_client_restrictions", "permit_mynetworks, reject",
                "smtpd_recipient_restrictions", "reject");
        Restrictions.State inside = state("10.1.2.3", "h.test", "s@x.test", "r@x.test");
        assertThat(r.check(inside, Restrictions.Stage.CLIENT)).isNull();
        assertThat(reply(r.check(inside, Restrictions.Stage.CLIENT, Restrictions.Stage.RECIPIENT)))
                .isEqualTo("554 5.7.1 <r@x.test>: Recipient address rejected: Access denied");
        assertThat(reply(r.check(state("192.0.2.1", "h.test", "s@x.test", "r@x.test"), Restrictions.Stage.CLIENT)))
                .startsWith("554 5.7.1 <mail.example.org[192.0.2.1]>: Client host rejected");
    }

    @Test
    void tableFailuresAndUnknownRestrictionsDeferAsConfigurationErrors() throws Exception {
        Restrictions r = restrictions(Map.of(), "smtpd_recipient_restrictions", "check_recipient_access hash:/broken",
                "smtpd_sender_restrictions", "reject_unauth_destination");
        assertThat(reply(r.check(state("192.0.2.1", "h", "s@x.test", "r@x.test"), Restrictions.Stage.RECIPIENT)))
                .isEqualTo("451 4.3.5 <r@x.test>: Recipient address rejected: Server configuration error");
        assertThat(reply(r.check(state("192.0.2.1", "h", "s@x.test", "r@x.test"), Restrictions.Stage.SENDER)))
                .isEqualTo("451 4.3.5 <s@x.test>: Sender address rejected: Server configuration error");
        Restrictions lookupFails = restrictions(Map.of(), "smtpd_recipient_restrictions", "check_recipient_access hash:/a");
        assertThat(reply(lookupFails.check(state("192.0.2.1", "h", "s@x.test", "fail@example.com"),
                Restrictions.Stage.RECIPIENT)))
                .isEqualTo("451 4.3.0 <fail@example.com>: Recipient address rejected: Temporary lookup failure");
    }

    @Test
    void warnIfRejectLogsInsteadAndActionsAreRecorded() throws Exception {
        Restrictions r = restrictions(Map.of("s@x.test", "HOLD"), "smtpd_sender_restrictions",
                "warn_if_reject reject_non_fqdn_sender, check_sender_access hash:/a");
        assertThat(r.check(state("192.0.2.1", "h", "s", "r@x.test"), Restrictions.Stage.SENDER)).isNull();
        assertThat(notes).containsExactly(
                "reject_warning:504 5.5.2 <s>: Sender address rejected: need fully-qualified address");
        assertThat(r.check(state("192.0.2.1", "h", "s@x.test", "r@x.test"), Restrictions.Stage.SENDER)).isNull();
        assertThat(r.actions()).containsExactly(new Restrictions.Action("HOLD", ""));
        assertThat(notes.getLast()).isEqualTo("hold:<s@x.test>: Sender address triggers HOLD action");
    }

    @Test
    void heloAndAddressSyntax() {
        assertThat(Restrictions.validHelo("bad!name")).isFalse();
        assertThat(Restrictions.validHelo("a..b")).isFalse();
        assertThat(Restrictions.validHelo("1.2.3.4")).isTrue();
        assertThat(Restrictions.fqdnHelo("1.2.3.4")).isFalse();
        assertThat(Restrictions.fqdnHelo("[192.0.2.1]")).isTrue();
        assertThat(Restrictions.fqdnHelo("[IPv6:2001:db8::1]")).isTrue();
        assertThat(Restrictions.fqdnHelo("client.example.")).isTrue();
        assertThat(Restrictions.fqdnHelo("nodot")).isFalse();
        assertThat(Restrictions.fqdnAddress("a@localhost")).isFalse();
        assertThat(Restrictions.fqdnAddress("a@b.example")).isTrue();
        assertThat(Restrictions.fqdnAddress("a")).isFalse();
    }
}
