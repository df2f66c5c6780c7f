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

/** The DNS-based restrictions against a fake resolver: MX-then-A domain checks, DNS list replies, server access. */
class RestrictionsDnsTest {
    private final Map<String, List<String>> records = new HashMap<>();
    private final List<String> asked = new ArrayList<>();

    private final DnsLookup fake = new DnsLookup() {
        private Answer answer(String type, String name) {
            asked.add(type + " " + name);
            if (name.startsWith("tempfail.")) return Answer.TEMP_FAIL;
            List<String> r = records.get(type + " " + name);
            return r == null ? Answer.NOT_FOUND : new Answer(r, false);
        }

        @Override
        public Answer addresses(String name) {
            List<String> all = new ArrayList<>(answer("A", name).records());
            all.addAll(answer("AAAA", name).records());
            if (name.startsWith("tempfail.")) return Answer.TEMP_FAIL;
            return all.isEmpty() ? Answer.NOT_FOUND : new Answer(all, false);
        }

        @Override
        public Answer a(String name) {
            return answer("A", name);
        }

        @Override
        public Answer txt(String name) {
            return answer("TXT", name);
        }

        @Override
        public Answer mx(String domain) {
            return answer("MX", domain);
        }

        @Override
        public Answer ns(String domain) {
            return answer("NS", domain);
        }
    };

    private void put(String type, String name, String... values) {
        records.put(type + " " + name, List.of(values));
    }

    private Restrictions restrictions(String... settings) {
        Map<String, String> cf = new HashMap<>();
        cf.put("smtpd_relay_restrictions", "permit");
        for (int i = 0; i < settings.length; i += 2) cf.put(settings[i], settings[i + 1]);
        Config config = Config.of(Path.of("/nonexistent"), cf);
        return new Restrictions(config, NetworkList.parse("10.0.0.0/8"), "<>", null, Log.of("smtpd"), null, fake);
    }

    record S(String clientName, String clientAddress, String helo, String sender, String recipient)
            implements Restrictions.State {
        @Override
        public InetAddress clientInetAddress() {
            return Hostnames.parseAddress(clientAddress, clientAddress.contains(":"));
        }

        @Override
        public boolean illegalPipelining() {
            return false;
        }
    }

    private static final Restrictions.Stage[] RCPT = {Restrictions.Stage.RELAY, Restrictions.Stage.RECIPIENT};

    private static String reply(Verdict.Reject r) {
        return r == null ? null : r.reply();
    }

    private static S mail(String sender, String recipient) {
        return new S("mail.client.test", "192.0.2.1", "helo.test", sender, recipient);
    }

    @Test
    void unknownDomainsAskMxThenAddresses() {
        put("MX", "mxonly.test", "mx.elsewhere.test");
        put("A", "aonly.test", "192.0.2.7");
        put("MX", "nullmx.test", "");
        Restrictions r = restrictions("smtpd_sender_restrictions", "reject_unknown_sender_domain",
                "smtpd_recipient_restrictions", "reject_unknown_recipient_domain");
        assertThat(reply(r.check(mail("a@mxonly.test", null), Restrictions.Stage.SENDER))).isNull();
        assertThat(asked).containsExactly("MX mxonly.test");
        assertThat(reply(r.check(mail("a@aonly.test", null), Restrictions.Stage.SENDER))).isNull();
        assertThat(reply(r.check(mail("a@nowhere.test", null), Restrictions.Stage.SENDER)))
                .isEqualTo("450 4.1.8 <a@nowhere.test>: Sender address rejected: Domain not found");
        assertThat(reply(r.check(mail("a@nullmx.test", null), Restrictions.Stage.SENDER)))
                .isEqualTo("550 5.7.27 <a@nullmx.test>: Sender address rejected: Domain nullmx.test does not accept mail (nullMX)");
        assertThat(reply(r.check(mail("a@aonly.test", "b@nullmx.test"), RCPT)))
                .isEqualTo("556 5.1.10 <b@nullmx.test>: Recipient address rejected: Domain nullmx.test does not accept mail (nullMX)");
        assertThat(reply(r.check(mail("a@aonly.test", "b@nowhere.test"), RCPT)))
                .isEqualTo("450 4.1.2 <b@nowhere.test>: Recipient address rejected: Domain not found");
        Restrictions hard = restrictions("smtpd_sender_restrictions", "reject_unknown_sender_domain",
                "unknown_address_reject_code", "550");
        assertThat(reply(hard.check(mail("a@nowhere.test", null), Restrictions.Stage.SENDER)))
                .isEqualTo("550 5.1.8 <a@nowhere.test>: Sender address rejected: Domain not found");
    }

    @Test
    void temporaryFailuresFollowTheTempfailAction() {
        // default defer_if_permit: a later permit becomes the 450, a later reject wins
        Restrictions r = restrictions("unknown_address_reject_code", "550",
                "smtpd_sender_restrictions", "reject_unknown_sender_domain, permit");
        assertThat(reply(r.check(mail("a@tempfail.test", null), Restrictions.Stage.SENDER)))
                .isEqualTo("450 4.1.8 <a@tempfail.test>: Sender address rejected: Domain not found");
        Restrictions rejectLater = restrictions("smtpd_sender_restrictions", "reject_unknown_sender_domain, reject");
        assertThat(reply(rejectLater.check(mail("a@tempfail.test", null), Restrictions.Stage.SENDER)))
                .isEqualTo("554 5.7.1 <a@tempfail.test>: Sender address rejected: Access denied");
        Restrictions ifReject = restrictions("unknown_address_tempfail_action", "defer_if_reject",
                "smtpd_sender_restrictions", "reject_unknown_sender_domain, permit");
        assertThat(reply(ifReject.check(mail("a@tempfail.test", null), Restrictions.Stage.SENDER))).isNull();
        Restrictions helo = restrictions("unknown_helo_hostname_tempfail_action", "defer",
                "smtpd_helo_restrictions", "reject_unknown_helo_hostname, reject");
        assertThat(reply(helo.check(new S("c.test", "192.0.2.1", "tempfail.helo.test", null, null), Restrictions.Stage.HELO)))
                .isEqualTo("450 4.7.1 <tempfail.helo.test>: Helo command rejected: Host not found");
    }

    @Test
    void heloNameMayHaveOnlyAnMxRecord() {
        put("MX", "mxhelo.test", "mx.test");
        Restrictions r = restrictions("smtpd_helo_restrictions", "reject_unknown_helo_hostname");
        assertThat(reply(r.check(new S("c.test", "192.0.2.1", "mxhelo.test", null, null), Restrictions.Stage.HELO))).isNull();
        assertThat(reply(r.check(new S("c.test", "192.0.2.1", "nohost.test", null, null), Restrictions.Stage.HELO)))
                .isEqualTo("450 4.7.1 <nohost.test>: Helo command rejected: Host not found");
    }

    @Test
    void dnsListRepliesCarryTheTxtReason() {
        put("A", "1.2.0.192.bl.test", "127.0.0.2");
        put("TXT", "1.2.0.192.bl.test", "listed, see http://bl.test/?1.2.0.192");
        put("A", "1.2.0.192.quiet.test", "127.0.0.2");
        put("A", "sender.test.rhs.test", "127.0.0.2");
        put("TXT", "sender.test.rhs.test", "bad\u0001domain", "second");
        Restrictions r = restrictions("smtpd_client_restrictions", "reject_rbl_client quiet.test, reject_rbl_client bl.test");
        assertThat(reply(r.check(mail(null, null), Restrictions.Stage.CLIENT)))
                .isEqualTo("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using quiet.test");
        Restrictions txt = restrictions("smtpd_client_restrictions", "reject_rbl_client bl.test=127.0.0.2");
        assertThat(reply(txt.check(mail(null, null), Restrictions.Stage.CLIENT)))
                .isEqualTo("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using bl.test;"
                        + " listed, see http://bl.test/?1.2.0.192");
        Restrictions rhs = restrictions("smtpd_sender_restrictions", "reject_rhsbl_sender rhs.test",
                "maps_rbl_reject_code", "550");
        assertThat(reply(rhs.check(mail("x@sender.test", null), Restrictions.Stage.SENDER)))
                .isEqualTo("550 5.7.1 Service unavailable; Sender address [sender.test] blocked using rhs.test;"
                        + " bad?domain / second");
    }

    @Test
    void defaultRblReplyAndRblReplyMapsTemplates() {
        put("A", "1.2.0.192.bl.test", "127.0.0.2");
        put("TXT", "1.2.0.192.bl.test", "costs $5");
        Restrictions custom = restrictions("smtpd_client_restrictions", "reject_rbl_client bl.test",
                "default_rbl_reply", "$rbl_code 4.7.9 $client_name/$client_address/$helo_name <$sender> ${rbl_reason?[$rbl_reason]} $rbl_what");
        assertThat(reply(custom.check(mail(null, null), Restrictions.Stage.CLIENT)))
                .isEqualTo("554 5.7.9 mail.client.test/192.0.2.1/helo.test <<>> [costs $5] 192.0.2.1");
        Restrictions mapped = restrictions("smtpd_client_restrictions", "reject_rbl_client bl.test=127.0.0.2",
                "rbl_reply_maps", "inline:{{bl.test=451 Try later: $$rbl_class listed in $$rbl_domain}}");
        assertThat(reply(mapped.check(mail(null, null), Restrictions.Stage.CLIENT)))
                .isEqualTo("451 4.7.1 Try later: Client host listed in bl.test");
        Restrictions dnswl = restrictions("smtpd_client_restrictions", "permit_dnswl_client bl.test, reject");
        assertThat(reply(dnswl.check(mail(null, null), Restrictions.Stage.CLIENT))).isNull();
    }

    @Test
    void mxAccessLooksAtMxHostNamesAndAddresses() {
        put("MX", "spammer.test", "mx1.badhost.test", "mx2.elsewhere.test");
        put("A", "mx2.elsewhere.test", "198.51.100.20");
        put("MX", "good.test", "mx.good.test");
        put("A", "mx.good.test", "192.0.2.50");
        put("A", "nomx.test", "198.51.100.21");
        put("MX", "mxaddr.test", "mx.mxaddr.test");
        put("A", "mx.mxaddr.test", "198.51.100.22");
        Restrictions r = restrictions("smtpd_sender_restrictions",
                "check_sender_mx_access inline:{{badhost.test=REJECT bad mx host}, {198.51.100=554 5.7.0 bad net}, 192.0.2.50=OK}");
        assertThat(reply(r.check(mail("a@spammer.test", null), Restrictions.Stage.SENDER)))
                .isEqualTo("554 5.7.1 <a@spammer.test>: Sender address rejected: bad mx host");
        // no MX record: the domain is its own mail exchanger
        assertThat(reply(r.check(mail("a@nomx.test", null), Restrictions.Stage.SENDER)))
                .isEqualTo("554 5.7.0 <a@nomx.test>: Sender address rejected: bad net");
        assertThat(reply(r.check(mail("a@mxaddr.test", null), Restrictions.Stage.SENDER)))
                .isEqualTo("554 5.7.0 <a@mxaddr.test>: Sender address rejected: bad net");
        // OK is not allowed: it counts as DUNNO
        Restrictions okThenReject = restrictions("smtpd_sender_restrictions",
                "check_sender_mx_access inline:{192.0.2.50=OK}, reject");
        assertThat(reply(okThenReject.check(mail("a@good.test", null), Restrictions.Stage.SENDER)))
                .isEqualTo("554 5.7.1 <a@good.test>: Sender address rejected: Access denied");
        // a DNS failure leaves the decision to the next restriction
        assertThat(reply(r.check(mail("a@tempfail.test", null), Restrictions.Stage.SENDER))).isNull();
        assertThat(reply(r.check(mail("", null), Restrictions.Stage.SENDER))).isNull();
    }

    @Test
    void nsAccessWalksUpToTheZoneAndAAccessChecksAddressesOnly() {
        put("NS", "zone.test", "ns1.evil.test");
        put("A", "ns1.evil.test", "203.0.113.5");
        put("A", "www.zone.test", "203.0.113.9");
        Restrictions ns = restrictions("smtpd_helo_restrictions", "check_helo_ns_access inline:{evil.test=REJECT}");
        S helo = new S("c.test", "192.0.2.1", "host.sub.zone.test", null, null);
        assertThat(reply(ns.check(helo, Restrictions.Stage.HELO)))
                .isEqualTo("554 5.7.1 <host.sub.zone.test>: Helo command rejected: Access denied");
        assertThat(asked).containsSubsequence("NS host.sub.zone.test", "NS sub.zone.test", "NS zone.test");
        Restrictions nsAddr = restrictions("smtpd_recipient_restrictions", "check_recipient_ns_access inline:{203.0.113.5=DEFER}");
        assertThat(reply(nsAddr.check(mail("a@b.test", "x@zone.test"), RCPT)))
                .isEqualTo("450 4.7.1 <x@zone.test>: Recipient address rejected: Access denied");
        // the a form looks at the name's own addresses, never at the name
        Restrictions a = restrictions("smtpd_client_restrictions",
                "check_client_a_access inline:{{www.zone.test=REJECT by name}, {203.0.113=REJECT by address}}");
        assertThat(reply(a.check(new S("www.zone.test", "192.0.2.1", null, null, null), Restrictions.Stage.CLIENT)))
                .isEqualTo("554 5.7.1 <www.zone.test[192.0.2.1]>: Client host rejected: by address");
        // unknown client names are not looked up
        assertThat(reply(a.check(new S("unknown", "192.0.2.1", null, null, null), Restrictions.Stage.CLIENT))).isNull();
    }
}
