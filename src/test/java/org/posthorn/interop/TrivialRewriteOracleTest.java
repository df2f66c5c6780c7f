package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.rewrite.Resolution;
import org.posthorn.rewrite.ResolveFlags;
import org.posthorn.rewrite.RewriteContext;
import org.posthorn.rewrite.TrivialRewriter;
import org.posthorn.table.TableFactory;

/**
 * Differential test: the same main.cf given to a real Postfix 3.7 trivial-rewrite (asked on
 * its private/rewrite socket) and to our TrivialRewriter; every rewrite (local and remote
 * context) and resolve answer (transport, nexthop, recipient, flags) must be the same.
 */
@Tag("interop")
class TrivialRewriteOracleTest {
    private static final String MASTER_CF = """
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            postlog   unix-dgram n  -       n       -       1       postlogd
            """;

    private static final List<String> BASE = List.of(
            "compatibility_level = 3.6",
            "myhostname = host.example.test",
            "mydomain = example.test",
            "inet_interfaces = 127.0.0.1",
            "inet_protocols = ipv4",
            "mynetworks = 127.0.0.0/8");

    /** Recipients, in internal form for resolve and used as external form for rewrite. */
    private static final List<String> ADDRESSES = List.of(
            "user@host.example.test", "User@HOST.Example.Test", "user", "", "@", "user@", "@host.example.test",
            "user@localhost", "user@localhost.example.test", "user@host.example.test.", "user@host.example.test..",
            "user@.", "user@@", "user+ext@host.example.test", "user+ext", "user@[127.0.0.1]", "user@[127.0.0.2]",
            "user@127.0.0.1", "user@[IPv6:::1]", "user@[1.2.3]", "user@[300.1.1.1]", "user@[192.0.2.7]",
            "user@192.0.2.7", "user@remote.example", "user@Remote.Example", "user@sub.remote.example",
            "user@relay.example", "user@sub.relay.example", "user@x.dotrelay.example", "user@dotrelay.example",
            "user@valias.example", "user@sub.valias.example", "user@vmbox.example", "user@VMBOX.example",
            "user%remote.example@host.example.test", "remote.example!user@host.example.test",
            "user@remote.example@host.example.test", "\"user@remote.example\"@host.example.test",
            "\"user%remote.example\"@host.example.test", "\"remote.example!user\"@host.example.test",
            "a%b%c@host.example.test", "a!b!c@host.example.test", "user%remote.example", "remote.example!user",
            "user%host.example.test", "@a,@b:user@remote.example", "@a:user@host.example.test", "@a,@b:",
            "user@-bad.example", "user@bad-.example", "user@bad_.example", "user@exa mple.com",
            "first last@remote.example", "first last", "-user@host.example.test", "-user@remote.example", "-user",
            "user@123", "user@1.2.3.4", "user@1.2.3.com", "postmaster", "MAILER-DAEMON", "user@remote",
            "user@remote.", "user%remote", "user.name@remote.example", ".user@remote.example",
            "user..name@remote.example", "user\"quote@remote.example", "user@[ipv6:::1]",
            "user@[IPv6:2001:db8::1]", "üser@remote.example", "user@bücher.example", "user@special.example",
            "special@host.example.test", "user@exact.example", "user+ext@exact.example", "other@exact.example",
            "user@transported.example", "user@sub.transported.example", "user@deep.sub.transported.example",
            "user@errordomain.example", "user@keepnexthop.example", "user@onlyxport.example",
            "user@noop.example", "user@retry.example", "user@parent.example", "user@sub.parent.example",
            "owner-list@remote.example", "list-request@remote.example", "user-ext@remote.example",
            "(comment) user@remote.example", "user@remote.example (comment)", "<user@remote.example>",
            "user@[127.0.0.1].", "x!y!z", "x!", "!x", "%x", "x%", "\"\"@host.example.test", "\"\"",
            "\"a b\"@remote.example", "a\\ b@remote.example", "user@host.example.test!other",
            "user@moved.example", "moved@host.example.test", "user@host2.example.test", "user@valias2.example",
            "user@no.relay.example", "user@yes.relay.example", "user@tablerelay.example",
            "user@sub.tablerelay.example", "list-extension@remote.example", "user-ext@remote.example",
            "postmaster-x@remote.example", "user@probe.example", "user@fails.example");

    private static final List<String> SENDERS = List.of(
            "", "sender@host.example.test", "sender+ext@host.example.test", "other@remote.example",
            "someone@sdr.example", "s@host.example.test");

    static Stream<Arguments> variants() {
        String transport = String.join("\n",
                "special@host.example.test   smtp:[special.gw]:25",
                "user@exact.example          relay:[exact.gw]",
                "transported.example         smtp:[t.gw]",
                ".transported.example        relay:",
                "errordomain.example         error:5.1.2 bad domain: really",
                "keepnexthop.example         :[kept.gw]",
                "onlyxport.example           slow:",
                "noop.example                :",
                "retry.example               retry:4.3.0 try later",
                "parent.example              lmtp:unix:/var/run/lmtp",
                "");
        return Stream.of(
                Arguments.of("defaults", List.of(), Map.of()),
                Arguments.of("classes", List.of(
                        "mydestination = $myhostname, localhost.$mydomain, localhost",
                        "relay_domains = relay.example, .dotrelay.example",
                        "virtual_alias_domains = valias.example",
                        "virtual_mailbox_domains = vmbox.example",
                        "recipient_delimiter = +"), Map.of()),
                Arguments.of("relayhost-and-transport-maps", List.of(
                        "mydestination = $myhostname, localhost",
                        "relay_domains = relay.example",
                        "relayhost = [gw.example]:2525",
                        "local_transport = local",
                        "relay_transport = relay:[relaygw.example]",
                        "virtual_mailbox_domains = vmbox.example",
                        "virtual_transport = lmtp:unix:private/dovecot",
                        "recipient_delimiter = +-",
                        "transport_maps = texthash:${config_directory}/transport",
                        "relocated_maps = inline:{ user@moved.example=new@elsewhere.example, moved=x@y.example }"),
                        Map.of("transport", transport)),
                Arguments.of("wildcard-and-parent-style", List.of(
                        "mydestination = host.example.test",
                        "relay_domains = relay.example",
                        "parent_domain_matches_subdomains = transport_maps",
                        "transport_maps = inline:{ remote.example=relay:[r.gw], relay.example=, *=smtp:[wildcard.gw] }"),
                        Map.of()),
                Arguments.of("sender-dependent", List.of(
                        "mydestination = $myhostname",
                        "relay_domains = relay.example",
                        "relayhost = [default.gw]",
                        "recipient_delimiter = +",
                        "myorigin = $myhostname",
                        "sender_dependent_relayhost_maps = inline:{ sender@host.example.test=[s1.gw], "
                                + "@sdr.example=[sdr.gw]:2525, <>=[null.gw], s=[localpart.gw], "
                                + "other@remote.example=DUNNO }",
                        "sender_dependent_default_transport_maps = texthash:${config_directory}/sdt"),
                        Map.of("sdt", "other@remote.example relay2:\n<> nullxport\nsomeone@sdr.example DUNNO\n"
                                + "sender@host.example.test smtp:[sdt.gw]\n")),
                Arguments.of("hacks-off", List.of(
                        "mydestination = $myhostname, localhost",
                        "swap_bangpath = no",
                        "allow_percent_hack = no",
                        "resolve_dequoted_address = no",
                        "resolve_null_domain = yes",
                        "resolve_numeric_domain = yes",
                        "append_dot_mydomain = yes",
                        "myorigin = origin.example",
                        "remote_header_rewrite_domain = remote.invalid",
                        "show_user_unknown_table_name = no",
                        "virtual_alias_domains = valias.example",
                        "allow_min_user = yes",
                        "empty_address_recipient = postmaster",
                        "proxy_interfaces = 192.0.2.7",
                        "default_transport = error:no outbound mail"), Map.of()),
                Arguments.of("append-at-myorigin-off", List.of(
                        "mydestination =",
                        "append_at_myorigin = no",
                        "append_dot_mydomain = yes",
                        "relay_domains = $mydestination",
                        "remote_header_rewrite_domain = remote.invalid",
                        "default_transport = smtp:[outbound.gw]:587"), Map.of()),
                Arguments.of("lists-with-tables-files-and-negation", List.of(
                        "mydestination = texthash:${config_directory}/mydest, localhost",
                        "virtual_alias_maps = texthash:${config_directory}/virtual",
                        "virtual_mailbox_domains = inline:{vmbox.example=x}",
                        "relay_domains = !no.relay.example, ${config_directory}/relaylist, "
                                + "texthash:${config_directory}/relaytable",
                        "recipient_delimiter = -",
                        "transport_maps = texthash:${config_directory}/transport",
                        "relayhost = [gw.example]"),
                        Map.of("mydest", "host.example.test x\nHOST2.example.test x\n",
                                "virtual", "user@valias.example other@remote.example\nvalias2.example x\n",
                                "relaylist", "# relay domains\nrelay.example\n.dotrelay.example\n",
                                "relaytable", "tablerelay.example ok\n",
                                "transport", "user@remote.example relay:[exact.gw]\nlist@remote.example lmtp:[list.gw]\n")),
                Arguments.of("verify-personality-and-failing-tables", List.of(
                        "mydestination = $myhostname",
                        "relay_domains = relay.example",
                        "virtual_mailbox_domains = vmbox.example",
                        "address_verify_local_transport = error:no local probes",
                        "address_verify_virtual_transport = vprobe",
                        "address_verify_relay_transport = rprobe:[rprobe.gw]",
                        "address_verify_default_transport = dprobe",
                        "address_verify_relayhost = [probe.gw]",
                        "address_verify_transport_maps = inline:{probe.example=special:}",
                        "transport_maps = inline:{fails.example=fail-me:}",
                        "sender_dependent_relayhost_maps = fail:broken",
                        "smtputf8_enable = no"), Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void answersMatchRealTrivialRewrite(String name, List<String> settings, Map<String, String> files)
            throws Exception {
        assertThat(ProcessHandle.current().info().user().orElse(""))
                .as("the real-Postfix oracle needs root (CI runs the interop tests as root)").isEqualTo("root");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "posthorn-rewrite-");
        List<String> mainCf = new ArrayList<>(BASE);
        mainCf.addAll(settings);
        RealPostfix postfix = new RealPostfix(dir);
        Files.createDirectories(postfix.etc);
        for (Map.Entry<String, String> f : files.entrySet()) Files.writeString(postfix.etc.resolve(f.getKey()), f.getValue());
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        try {
            postfix.start(mainCf, MASTER_CF);
            Map<String, String> ours = new LinkedHashMap<>();
            for (String line : Files.readAllLines(postfix.etc.resolve("main.cf"))) {
                int eq = line.indexOf('=');
                if (eq > 0) ours.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
            ours.put("config_directory", postfix.etc.toString());
            Config config = Config.of(postfix.etc, ours);
            TrivialRewriter mine = TrivialRewriter.create(config, spec -> TableFactory.openUncached(spec, config, true),
                    spec -> TableFactory.openUncached(spec, config, false), Log.of("trivial-rewrite"));
            try (AttrClient real = new AttrClient(postfix.privateSocket("rewrite"))) {
                assertThat(real.receive()).containsExactly(Map.entry("protocol", "trivial_rewrite_protocol"));
                for (String address : ADDRESSES) {
                    for (RewriteContext context : RewriteContext.values()) {
                        real.send("request", "rewrite", "rule", context.protocolName(), "address", address);
                        String expected = value(real.receive(), "address");
                        String actual = mine.rewrite(context, address);
                        compared++;
                        if (!expected.equals(actual)) {
                            mismatches.add("rewrite " + context + " <" + address + ">: postfix <" + expected
                                    + "> posthorn <" + actual + ">");
                        }
                    }
                    for (String sender : SENDERS) {
                        for (String request : List.of("resolve", "verify")) {
                            if (request.equals("verify") && !sender.isEmpty()) continue;
                            real.send("request", request, "sender", sender, "address", address);
                            Resolution expected = resolution(real.receive());
                            Resolution actual = request.equals("resolve") ? mine.resolve(sender, address)
                                    : mine.resolveForVerify(sender, address);
                            compared++;
                            if (!same(expected, actual)) {
                                mismatches.add(request + " <" + sender + "> <" + address + ">: postfix " + expected
                                        + " posthorn " + actual);
                            }
                        }
                    }
                }
            }
        } finally {
            postfix.stop();
        }
        System.out.printf("trivial-rewrite oracle, variant %s: %d answers compared%n", name, compared);
        assertThat(compared).isGreaterThanOrEqualTo(100);
        assertThat(mismatches).as("differences from Postfix in variant " + name).isEmpty();
    }

    /** FAIL answers carry no meaningful fields; ERROR answers carry a recipient only. */
    private static boolean same(Resolution expected, Resolution actual) {
        if (expected.flags() != actual.flags()) return false;
        if ((expected.flags() & ResolveFlags.FAIL) != 0) return true;
        if (!expected.recipient().equals(actual.recipient())) return false;
        return expected.transport().equals(actual.transport()) && expected.nexthop().equals(actual.nexthop());
    }

    private static Resolution resolution(List<Map.Entry<String, String>> attrs) {
        // reply: flags (server), transport, nexthop, recipient, flags (resolve)
        return new Resolution(value(attrs, "transport"), value(attrs, "nexthop"), value(attrs, "recipient"),
                Integer.parseInt(attrs.getLast().getValue()));
    }

    private static String value(List<Map.Entry<String, String>> attrs, String name) {
        for (Map.Entry<String, String> e : attrs) if (e.getKey().equals(name)) return e.getValue();
        throw new AssertionError("no " + name + " in " + attrs);
    }
}
