package org.posthorn.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResolveTest {

    private static TrivialRewrite classes(String... more) throws Exception {
        String[] base = {"mydestination", "$myhostname, localhost",
                "relay_domains", "relay.example",
                "virtual_alias_domains", "valias.example",
                "virtual_mailbox_domains", "vmbox.example",
                "recipient_delimiter", "+"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return Fixtures.rewriter(all);
    }

    private static Resolution r(TrivialRewrite t, String address) {
        return t.resolve("", address);
    }

    @Test
    void localClass() throws Exception {
        TrivialRewrite t = classes();
        assertThat(r(t, "user@host.example.test")).isEqualTo(new Resolution("local", "host.example.test",
                "user@host.example.test", ResolveFlags.CLASS_LOCAL));
        assertThat(r(t, "user")).isEqualTo(new Resolution("local", "host.example.test", "user@host.example.test",
                ResolveFlags.CLASS_LOCAL));
        assertThat(r(t, "user@localhost").nexthop()).as("local_transport = local:$myhostname")
                .isEqualTo("host.example.test");
        assertThat(r(t, "user@[127.0.0.1]").addressClass()).isEqualTo(AddressClass.LOCAL);
        assertThat(r(t, "user@[127.0.0.2]").addressClass()).isEqualTo(AddressClass.DEFAULT);
        assertThat(r(t, "user@sub.host.example.test").addressClass()).as("mydestination: exact names only")
                .isEqualTo(AddressClass.DEFAULT);
        assertThat(Fixtures.rewriter("local_transport", "local").resolve("", "u@host.example.test").nexthop())
                .isEqualTo("host.example.test");
    }

    @Test
    void nullAndEmptyLocalPartsBecomeTheMailerDaemon() throws Exception {
        TrivialRewrite t = classes();
        assertThat(r(t, "").recipient()).isEqualTo("MAILER-DAEMON@host.example.test");
        assertThat(r(t, "@host.example.test").recipient()).isEqualTo("MAILER-DAEMON@host.example.test");
        assertThat(classes("empty_address_recipient", "postmaster").resolve("", "").recipient())
                .isEqualTo("postmaster@host.example.test");
    }

    @Test
    void virtualAliasClassIsAnError() throws Exception {
        assertThat(r(classes(), "user@valias.example")).isEqualTo(new Resolution("error",
                "5.1.1 User unknown in virtual alias table", "user@valias.example", ResolveFlags.CLASS_ALIAS));
        assertThat(r(classes("show_user_unknown_table_name", "no"), "user@valias.example").nexthop())
                .isEqualTo("5.1.1 User unknown");
    }

    @Test
    void virtualMailboxRelayAndDefaultClasses() throws Exception {
        TrivialRewrite t = classes();
        assertThat(r(t, "user@vmbox.example")).isEqualTo(new Resolution("virtual", "vmbox.example",
                "user@vmbox.example", ResolveFlags.CLASS_VIRTUAL));
        assertThat(r(t, "user@relay.example")).isEqualTo(new Resolution("relay", "relay.example",
                "user@relay.example", ResolveFlags.CLASS_RELAY));
        assertThat(r(t, "user@sub.relay.example").addressClass()).as("relay_domains matches subdomains")
                .isEqualTo(AddressClass.RELAY);
        assertThat(r(t, "user@remote.example")).isEqualTo(new Resolution("smtp", "remote.example",
                "user@remote.example", ResolveFlags.CLASS_DEFAULT));
    }

    @Test
    void relayhostAndTransportNexthops() throws Exception {
        TrivialRewrite t = classes("relayhost", "[gw.example]:2525", "relay_transport", "relay:[relay.gw]",
                "virtual_transport", "lmtp:unix:private/dovecot");
        assertThat(r(t, "user@remote.example").nexthop()).isEqualTo("[gw.example]:2525");
        assertThat(r(t, "user@relay.example").nexthop()).isEqualTo("[relay.gw]");
        assertThat(r(t, "user@vmbox.example").transport()).isEqualTo("lmtp");
        assertThat(r(t, "user@vmbox.example").nexthop()).isEqualTo("unix:private/dovecot");
        assertThat(r(t, "user@host.example.test").nexthop()).as("relayhost is for off-host mail only")
                .isEqualTo("host.example.test");
    }

    @Test
    void routingThroughLocalDomainsIsFollowedAndFlagged() throws Exception {
        TrivialRewrite t = classes();
        assertThat(r(t, "user%remote.example@host.example.test")).isEqualTo(new Resolution("smtp",
                "remote.example", "user@remote.example", ResolveFlags.CLASS_DEFAULT));
        assertThat(r(t, "remote.example!user@host.example.test").recipient()).isEqualTo("user@remote.example");
        assertThat(r(t, "user@remote.example@host.example.test").recipient()).isEqualTo("user@remote.example");
        assertThat(r(t, "a%b%c@host.example.test")).isEqualTo(new Resolution("smtp", "c", "a%b@c",
                ResolveFlags.CLASS_DEFAULT | ResolveFlags.ROUTED));
        assertThat(r(t, "user%remote.example@relay.example").flags())
                .isEqualTo(ResolveFlags.CLASS_RELAY | ResolveFlags.ROUTED);
        assertThat(r(t, "@a,@b:user@remote.example").recipient()).isEqualTo("@a, @b:user@remote.example");
        assertThat(r(t, "@a,@b:user@remote.example").routed()).isTrue();
    }

    @Test
    void quotedLocalPartsAreCrackedOpenUnlessTurnedOff() throws Exception {
        assertThat(r(classes(), "\"user@remote.example\"@host.example.test".replace("\"", ""))
                .recipient()).isEqualTo("user@remote.example");
        TrivialRewrite noDequote = classes("resolve_dequoted_address", "no");
        Resolution kept = noDequote.resolve("", "user@remote.example@host.example.test");
        assertThat(kept.recipient()).isEqualTo("user@remote.example@host.example.test");
        assertThat(kept.flags()).isEqualTo(ResolveFlags.CLASS_LOCAL | ResolveFlags.ROUTED);
    }

    @Test
    void invalidDomainsAreErrors() throws Exception {
        TrivialRewrite t = classes();
        for (String bad : new String[] {"user@-bad.example", "user@1.2.3.4", "user@[1.2.3]", "user@exa mple.com",
                "user@"}) {
            Resolution res = r(t, bad);
            assertThat(res.flags()).as(bad).isEqualTo(ResolveFlags.ERROR | ResolveFlags.CLASS_DEFAULT);
        }
        TrivialRewrite numeric = classes("resolve_numeric_domain", "yes");
        assertThat(numeric.resolve("", "user@1.2.3.4").recipient()).isEqualTo("user@[1.2.3.4]");
        assertThat(numeric.resolve("", "user@127.0.0.1").addressClass()).isEqualTo(AddressClass.LOCAL);
        TrivialRewrite nullDomain = classes("resolve_null_domain", "yes");
        assertThat(nullDomain.resolve("", "user@").flags()).isEqualTo(ResolveFlags.CLASS_LOCAL);
    }

    @Test
    void localPartsStartingWithDashAreErrors() throws Exception {
        assertThat(r(classes(), "-user@host.example.test").flags())
                .isEqualTo(ResolveFlags.CLASS_LOCAL | ResolveFlags.ERROR);
        assertThat(classes("allow_min_user", "yes").resolve("", "-user@host.example.test").flags())
                .isEqualTo(ResolveFlags.CLASS_LOCAL);
    }

    @Test
    void transportMapsOverrideInTransport5Order() throws Exception {
        TrivialRewrite t = classes("transport_maps", "inline:{ user@exact.example=relay:[exact.gw], "
                + "exact.example=smtp:[domain.gw], .exact.example=slow:, keep.example=:[kept.gw], "
                + "noop.example=:, {err.example=error:5.1.2 nope}, bare.example=error }");
        assertThat(r(t, "user@exact.example")).isEqualTo(new Resolution("relay", "[exact.gw]", "user@exact.example",
                ResolveFlags.CLASS_DEFAULT));
        assertThat(r(t, "user+ext@exact.example").nexthop()).as("extension stripped").isEqualTo("[exact.gw]");
        assertThat(r(t, "other@exact.example").nexthop()).isEqualTo("[domain.gw]");
        assertThat(r(t, "other@sub.exact.example")).isEqualTo(new Resolution("slow", "sub.exact.example",
                "other@sub.exact.example", ResolveFlags.CLASS_DEFAULT));
        assertThat(r(t, "u@keep.example")).isEqualTo(new Resolution("smtp", "[kept.gw]", "u@keep.example",
                ResolveFlags.CLASS_DEFAULT));
        assertThat(r(t, "u@noop.example")).isEqualTo(new Resolution("smtp", "noop.example", "u@noop.example",
                ResolveFlags.CLASS_DEFAULT));
        assertThat(r(t, "u@err.example").nexthop()).isEqualTo("5.1.2 nope");
        assertThat(r(t, "u@bare.example").nexthop()).isEqualTo("Address is undeliverable");
        assertThat(r(t, "u@valias.example").transport()).as("not for the virtual alias class").isEqualTo("error");
    }

    @Test
    void transportMapsWildcardAndParentStyle() throws Exception {
        TrivialRewrite t = classes("transport_maps", "inline:{ example.org=relay:[org.gw], *=smtp:[all.gw] }",
                "parent_domain_matches_subdomains", "transport_maps");
        assertThat(r(t, "u@sub.example.org").nexthop()).isEqualTo("[org.gw]");
        assertThat(r(t, "u@other.example").nexthop()).isEqualTo("[all.gw]");
        assertThat(r(t, "u@host.example.test")).as("the wildcard catches local mail too")
                .isEqualTo(new Resolution("smtp", "[all.gw]", "u@host.example.test", ResolveFlags.CLASS_LOCAL));
        TrivialRewrite dotted = classes("transport_maps", "inline:{ example.org=relay:[org.gw] }");
        assertThat(r(dotted, "u@sub.example.org").nexthop()).as("without parent style").isEqualTo("sub.example.org");
    }

    @Test
    void senderDependentRelayhostAndDefaultTransport() throws Exception {
        TrivialRewrite t = classes("relayhost", "[default.gw]",
                "sender_dependent_relayhost_maps", "inline:{ s@host.example.test=[s.gw], @sdr.example=[sdr.gw], "
                        + "<>=[null.gw], local=[localpart.gw], d@x.example=DUNNO }",
                "sender_dependent_default_transport_maps", "inline:{ s@host.example.test=special:, <>=bounces }");
        assertThat(t.resolve("s@host.example.test", "u@remote.example")).isEqualTo(new Resolution("special",
                "[s.gw]", "u@remote.example", ResolveFlags.CLASS_DEFAULT));
        assertThat(t.resolve("s+ext@host.example.test", "u@remote.example").nexthop()).isEqualTo("[s.gw]");
        assertThat(t.resolve("anyone@sdr.example", "u@remote.example").nexthop()).isEqualTo("[sdr.gw]");
        assertThat(t.resolve("local@host.example.test", "u@remote.example").nexthop()).isEqualTo("[localpart.gw]");
        assertThat(t.resolve("local@remote.example", "u@remote.example").nexthop()).isEqualTo("[default.gw]");
        assertThat(t.resolve("d@x.example", "u@remote.example").nexthop()).isEqualTo("[default.gw]");
        assertThat(t.resolve("", "u@remote.example")).isEqualTo(new Resolution("bounces", "[null.gw]",
                "u@remote.example", ResolveFlags.CLASS_DEFAULT));
        assertThat(t.resolve("s@host.example.test", "u@relay.example")).as("relay class: relayhost only")
                .isEqualTo(new Resolution("relay", "[s.gw]", "u@relay.example", ResolveFlags.CLASS_RELAY));
        assertThat(t.resolve("s@host.example.test", "u@host.example.test").transport()).isEqualTo("local");
    }

    @Test
    void relocatedRecipientsBounce() throws Exception {
        TrivialRewrite t = classes("relocated_maps", "inline:{ old@host.example.test=new@else.example }");
        assertThat(r(t, "old@host.example.test")).isEqualTo(new Resolution("error",
                "5.1.6 User has moved to new@else.example", "old@host.example.test", ResolveFlags.CLASS_LOCAL));
        assertThat(r(t, "old+x@host.example.test").transport()).isEqualTo("error");
    }

    @Test
    void lookupFailuresSetFail() throws Exception {
        TrivialRewrite t = classes("transport_maps", "fail:broken");
        Resolution res = r(t, "user@remote.example");
        assertThat(res.failed()).isTrue();
        assertThat(res.flags()).as("the class is known before transport_maps").isEqualTo(
                ResolveFlags.CLASS_DEFAULT | ResolveFlags.FAIL);
        assertThat(classes("mydestination", "fail:broken").resolve("", "u@x.example").failed()).isTrue();
        assertThat(classes("transport_maps", "nosuchtype:x").resolve("", "u@x.example").failed())
                .as("a table that cannot be opened fails its lookups").isTrue();
        assertThat(classes("transport_maps", "inline:{ x.example= }").resolve("", "u@x.example").failed())
                .as("an empty lookup result is a configuration error").isTrue();
        assertThat(classes("default_transport", ":nexthop").resolve("", "u@x.example").failed())
                .as("null transport").isTrue();
    }

    @Test
    void verifyPersonalityUsesAddressVerifySettings() throws Exception {
        TrivialRewrite t = classes("address_verify_default_transport", "probe:[probe.gw]",
                "address_verify_local_transport", "error:no probes here");
        assertThat(t.resolveForVerify("", "u@remote.example")).isEqualTo(new Resolution("probe", "[probe.gw]",
                "u@remote.example", ResolveFlags.CLASS_DEFAULT));
        assertThat(t.resolveForVerify("", "u@host.example.test").nexthop()).isEqualTo("no probes here");
        assertThat(t.resolve("", "u@remote.example").transport()).isEqualTo("smtp");
    }

    @Test
    void relayPermissionForSmtpd() throws Exception {
        TrivialRewrite t = classes();
        assertThat(r(t, "u@host.example.test").permitsUnauthenticatedDelivery(false)).isTrue();
        assertThat(r(t, "u@valias.example").permitsUnauthenticatedDelivery(false)).isTrue();
        assertThat(r(t, "u@vmbox.example").permitsUnauthenticatedDelivery(false)).isTrue();
        assertThat(r(t, "u@relay.example").permitsUnauthenticatedDelivery(false)).isTrue();
        assertThat(r(t, "u@remote.example").permitsUnauthenticatedDelivery(false)).isFalse();
        Resolution routed = r(t, "u%remote.example@relay.example");
        assertThat(routed.permitsUnauthenticatedDelivery(false)).isFalse();
        assertThat(routed.permitsUnauthenticatedDelivery(true)).isTrue();
        assertThat(AddressClass.of(ResolveFlags.CLASS_VIRTUAL | ResolveFlags.ROUTED)).isEqualTo(AddressClass.VIRTUAL);
        assertThat(AddressClass.VIRTUAL.isFinal()).isTrue();
        assertThat(AddressClass.RELAY.isFinal()).isFalse();
    }
}
