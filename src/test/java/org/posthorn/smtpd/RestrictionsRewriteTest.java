package org.posthorn.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.rewrite.TrivialRewriter;

/** The restrictions that ask trivial-rewrite (a real TrivialRewriter) or DNS (a fake resolver). */
class RestrictionsRewriteTest {
    private final Map<String, List<String>> dnsA = new HashMap<>();
    private final List<Long> slept = new ArrayList<>();

    private final DnsLookup fakeDns = new DnsLookup() {
        @Override
        public Answer addresses(String name) {
            return a(name);
        }

        @Override
        public Answer a(String name) {
            if (name.startsWith("tempfail.")) return Answer.TEMP_FAIL;
            List<String> r = dnsA.get(name);
            return r == null ? Answer.NOT_FOUND : new Answer(r, false);
        }
    };

    private Restrictions restrictions(String... settings) throws Exception {
        String[] base = {"compatibility_level", "3.6", "myhostname", "mx.example.com", "mydestination", "example.com",
                "inet_interfaces", "127.0.0.1", "inet_protocols", "ipv4", "alias_maps", "",
                "local_recipient_maps", "inline:{alice=x}", "relay_domains", "relay.test",
                "virtual_alias_domains", "alias.test", "virtual_alias_maps", "inline:{carol@alias.test=alice@example.com}",
                "virtual_mailbox_domains", "mbox.test", "virtual_mailbox_maps", "inline:{dave@mbox.test=x}"};
        Map<String, String> cf = new HashMap<>();
        for (int i = 0; i < base.length; i += 2) cf.put(base[i], base[i + 1]);
        for (int i = 0; i < settings.length; i += 2) cf.put(settings[i], settings[i + 1]);
        Config config = Config.of(Path.of("/nonexistent"), cf);
        Restrictions r = new Restrictions(config, NetworkList.parse("10.0.0.0/8"), "<>", null, Log.of("smtpd"),
                TrivialRewriter.create(config, Log.of("trivial-rewrite")), fakeDns);
        r.sleeper(slept::add);
        return r;
    }

    record S(String clientName, String clientAddress, String helo, String sender, String recipient, int recipientCount,
             String reverseName) implements Restrictions.State {
        @Override
        public InetAddress clientInetAddress() {
            try {
                return InetAddress.getByName(clientAddress);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public boolean illegalPipelining() {
            return false;
        }
    }

    private static S rcpt(String sender, String recipient) {
        return new S("mail.client.test", "192.0.2.1", "mail.client.test", sender, recipient, 0, "mail.client.test");
    }

    private static String reply(Verdict.Reject r) {
        return r == null ? null : r.reply();
    }

    private static final Restrictions.Stage[] RCPT = {Restrictions.Stage.RELAY, Restrictions.Stage.RECIPIENT};

    @Test
    void relayDecisionsFollowTheAddressClass() throws Exception {
        Restrictions r = restrictions("smtpd_relay_restrictions", "reject_unauth_destination");
        assertThat(reply(r.check(rcpt("a@client.test", "x@remote.test"), RCPT)))
                .isEqualTo("554 5.7.1 <x@remote.test>: Relay access denied");
        assertThat(reply(r.check(rcpt("a@client.test", "y@relay.test"), RCPT))).isNull();
        assertThat(reply(r.check(rcpt("a@client.test", "alice@example.com"), RCPT))).isNull();
        // sender-specified routing through a local domain is relaying
        assertThat(reply(r.check(rcpt("a@client.test", "u%remote.test@example.com"), RCPT)))
                .isEqualTo("554 5.7.1 <u%remote.test@example.com>: Relay access denied");
        Restrictions defer = restrictions();
        assertThat(reply(defer.check(rcpt("a@client.test", "x@remote.test"), RCPT)))
                .isEqualTo("454 4.7.1 <x@remote.test>: Relay access denied");
        Restrictions auth = restrictions("smtpd_relay_restrictions", "permit_auth_destination, reject");
        assertThat(reply(auth.check(rcpt("a@client.test", "y@relay.test"), RCPT))).isNull();
        assertThat(reply(auth.check(rcpt("a@client.test", "x@remote.test"), RCPT)))
                .isEqualTo("554 5.7.1 <x@remote.test>: Recipient address rejected: Access denied");
    }

    @Test
    void unknownUsersPerClassTable() throws Exception {
        Restrictions r = restrictions("smtpd_relay_restrictions", "permit", "relay_recipient_maps", "inline:{bob@relay.test=x}");
        assertThat(reply(r.check(rcpt("a@client.test", "nobody@example.com"), RCPT)))
                .isEqualTo("550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table");
        assertThat(reply(r.check(rcpt("a@client.test", "alice@example.com"), RCPT))).isNull();
        assertThat(reply(r.check(rcpt("a@client.test", "nobody@alias.test"), RCPT)))
                .isEqualTo("550 5.1.1 <nobody@alias.test>: Recipient address rejected: User unknown in virtual alias table");
        assertThat(reply(r.check(rcpt("a@client.test", "carol@alias.test"), RCPT))).isNull();
        assertThat(reply(r.check(rcpt("a@client.test", "nobody@mbox.test"), RCPT)))
                .isEqualTo("550 5.1.1 <nobody@mbox.test>: Recipient address rejected: User unknown in virtual mailbox table");
        assertThat(reply(r.check(rcpt("a@client.test", "dave@mbox.test"), RCPT))).isNull();
        assertThat(reply(r.check(rcpt("a@client.test", "nobody@relay.test"), RCPT)))
                .isEqualTo("550 5.1.1 <nobody@relay.test>: Recipient address rejected: User unknown in relay recipient table");
        assertThat(reply(r.check(rcpt("a@client.test", "bob@relay.test"), RCPT))).isNull();
        Restrictions coded = restrictions("smtpd_relay_restrictions", "permit", "unknown_local_recipient_reject_code", "450",
                "show_user_unknown_table_name", "no");
        assertThat(reply(coded.check(rcpt("a@client.test", "nobody@example.com"), RCPT)))
                .isEqualTo("450 4.1.1 <nobody@example.com>: Recipient address rejected: User unknown");
        Restrictions off = restrictions("smtpd_relay_restrictions", "permit", "smtpd_reject_unlisted_recipient", "no",
                "smtpd_recipient_restrictions", "reject_unlisted_sender");
        assertThat(reply(off.check(rcpt("a@client.test", "nobody@example.com"), RCPT))).isNull();
        assertThat(reply(off.check(rcpt("who@example.com", "nobody@example.com"), RCPT)))
                .isEqualTo("550 5.1.0 <who@example.com>: Sender address rejected: User unknown in local recipient table");
    }

    @Test
    void restrictionClassesAsNamesAndAccessResults() throws Exception {
        Restrictions r = restrictions("smtpd_relay_restrictions", "permit", "smtpd_restriction_classes", "strict",
                "strict", "reject_unauth_destination, permit",
                "smtpd_recipient_restrictions", "check_recipient_access inline:{x@remote.test=strict}, reject_unauth_destination");
        assertThat(reply(r.check(rcpt("a@client.test", "x@remote.test"), RCPT)))
                .isEqualTo("554 5.7.1 <x@remote.test>: Relay access denied");
        assertThat(reply(r.check(rcpt("a@client.test", "alice@example.com"), RCPT))).isNull();
        Restrictions direct = restrictions("smtpd_relay_restrictions", "strict", "smtpd_restriction_classes", "strict",
                "strict", "reject_unauth_destination, permit");
        assertThat(reply(direct.check(rcpt("a@client.test", "x@remote.test"), RCPT)))
                .isEqualTo("554 5.7.1 <x@remote.test>: Relay access denied");
        assertThat(reply(direct.check(rcpt("a@client.test", "y@relay.test"), RCPT))).isNull();
    }

    @Test
    void dnsListsQueryReversedAddressesAndDomains() throws Exception {
        dnsA.put("1.2.0.192.bl.test", List.of("127.0.0.2"));
        dnsA.put("client.test.rhs.test", List.of("127.0.0.4"));
        Restrictions r = restrictions("smtpd_relay_restrictions", "permit", "smtpd_client_restrictions",
                "reject_rbl_client bl.test=127.0.0.[3;5..9], reject_rbl_client bl.test");
        S s = rcpt("a@client.test", "alice@example.com");
        assertThat(reply(r.check(s, Restrictions.Stage.CLIENT)))
                .isEqualTo("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using bl.test");
        Restrictions white = restrictions("smtpd_client_restrictions", "permit_dnswl_client bl.test, reject");
        assertThat(reply(white.check(s, Restrictions.Stage.CLIENT))).isNull();
        Restrictions rhs = restrictions("smtpd_sender_restrictions", "reject_rhsbl_sender rhs.test");
        assertThat(reply(rhs.check(s, Restrictions.Stage.SENDER)))
                .isEqualTo("554 5.7.1 Service unavailable; Sender address [client.test] blocked using rhs.test");
        assertThat(Restrictions.matchesFilter("127.0.0.4", "127.0.0.[2;4..5]")).isTrue();
        assertThat(Restrictions.matchesFilter("127.0.0.3", "127.0.0.[2;4..5]")).isFalse();
        assertThat(Restrictions.reversedAddress(InetAddress.getByName("2001:db8::1")))
                .startsWith("1.0.0.0.").endsWith(".8.b.d.0.1.0.0.2");
    }

    @Test
    void unknownDomainsHostsAndClients() throws Exception {
        dnsA.put("known.test", List.of("192.0.2.9"));
        Restrictions r = restrictions("smtpd_sender_restrictions", "reject_unknown_sender_domain",
                "smtpd_recipient_restrictions", "reject_unknown_recipient_domain",
                "smtpd_helo_restrictions", "reject_unknown_helo_hostname",
                "smtpd_client_restrictions", "reject_unknown_client_hostname, reject_unknown_reverse_client_hostname",
                "smtpd_relay_restrictions", "permit");
        assertThat(reply(r.check(rcpt("a@nowhere.test", "x@known.test"), Restrictions.Stage.SENDER)))
                .isEqualTo("450 4.1.8 <a@nowhere.test>: Sender address rejected: Domain not found");
        assertThat(reply(r.check(rcpt("a@known.test", "x@known.test"), Restrictions.Stage.SENDER))).isNull();
        assertThat(reply(r.check(rcpt("a@known.test", "x@nowhere.test"), RCPT)))
                .isEqualTo("450 4.1.2 <x@nowhere.test>: Recipient address rejected: Domain not found");
        // a local domain is not looked up
        assertThat(reply(r.check(rcpt("a@known.test", "alice@example.com"), RCPT))).isNull();
        assertThat(reply(r.check(rcpt("a@tempfail.test", "x"), Restrictions.Stage.SENDER)))
                .isEqualTo("450 4.1.8 <a@tempfail.test>: Sender address rejected: Domain not found");
        assertThat(reply(r.check(rcpt("a@known.test", "x"), Restrictions.Stage.HELO)))
                .isEqualTo("450 4.7.1 <mail.client.test>: Helo command rejected: Host not found");
        S unknown = new S("unknown", "192.0.2.1", "[192.0.2.1]", null, null, 0, "unknown");
        assertThat(reply(r.check(unknown, Restrictions.Stage.HELO))).isNull();
        assertThat(reply(r.check(unknown, Restrictions.Stage.CLIENT)))
                .isEqualTo("450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.1]");
        S reverseOnly = new S("unknown", "192.0.2.1", null, null, null, 0, "ptr.test");
        Restrictions rev = restrictions("smtpd_client_restrictions", "reject_unknown_reverse_client_hostname",
                "unknown_client_reject_code", "550");
        assertThat(reply(rev.check(reverseOnly, Restrictions.Stage.CLIENT))).isNull();
        assertThat(reply(rev.check(unknown, Restrictions.Stage.CLIENT)))
                .isEqualTo("550 5.7.25 Client host rejected: cannot find your reverse hostname, [192.0.2.1]");
    }

    @Test
    void sleepMultiRecipientBounceAndWaitingDnsChecks() throws Exception {
        Restrictions r = restrictions("smtpd_client_restrictions", "sleep 3", "smtpd_relay_restrictions", "permit",
                "smtpd_recipient_restrictions", "reject_multi_recipient_bounce",
                "smtpd_data_restrictions", "reject_multi_recipient_bounce",
                "smtpd_helo_restrictions", "check_helo_mx_access inline:{x=REJECT}");
        assertThat(reply(r.check(rcpt("", "alice@example.com"), Restrictions.Stage.CLIENT))).isNull();
        assertThat(slept).containsExactly(3000L);
        assertThat(reply(r.check(rcpt("", "alice@example.com"), RCPT))).isNull();
        S second = new S("c.test", "192.0.2.1", "c.test", "", "alice@example.com", 1, "c.test");
        assertThat(reply(r.check(second, RCPT)))
                .isEqualTo("550 5.5.3 <alice@example.com>: Recipient address rejected: Multi-recipient bounce");
        S data = new S("c.test", "192.0.2.1", "c.test", "", null, 2, "c.test");
        assertThat(reply(r.check(data, Restrictions.Stage.DATA)))
                .isEqualTo("550 5.5.3 <DATA>: Data command rejected: Multi-recipient bounce");
        assertThat(reply(r.check(second, Restrictions.Stage.HELO)))
                .isEqualTo("451 4.3.5 <c.test>: Helo command rejected: Server configuration error");
    }

    @Test
    void permitInetInterfaces() throws Exception {
        Restrictions r = restrictions("smtpd_client_restrictions", "permit_inet_interfaces, reject");
        S local = new S("localhost", "127.0.0.1", null, null, null, 0, "localhost");
        assertThat(reply(r.check(local, Restrictions.Stage.CLIENT))).isNull();
        assertThat(reply(r.check(rcpt("a@b.test", null), Restrictions.Stage.CLIENT)))
                .isEqualTo("554 5.7.1 <mail.client.test[192.0.2.1]>: Client host rejected: Access denied");
    }
}
