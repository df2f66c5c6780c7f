package org.posthorn.smtpd;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.posthorn.config.Config;
import org.posthorn.rewrite.AddressClass;
import org.posthorn.rewrite.Resolution;
import org.posthorn.rewrite.TrivialRewrite;
import org.posthorn.table.AddressLookup;
import org.posthorn.table.Maps;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;
import org.posthorn.table.TableFactory;

/**
 * smtpd's access restrictions (Postfix smtpd_check): the lists of
 * smtpd_{client,helo,sender,relay,recipient,data,end_of_data}_restrictions evaluated in
 * order against the session state, with Postfix's reply texts and its pending
 * defer_if_permit / defer_if_reject / warn_if_reject state.
 *
 * <p>Implemented: permit, reject, defer, defer_if_permit, defer_if_reject, warn_if_reject, dunno,
 * sleep, permit_mynetworks, permit_inet_interfaces, reject_unauth_pipelining, the HELO and
 * address syntax checks, check_{client,reverse_client_hostname,helo,sender,recipient}_access
 * with access(5) results (restriction names and classes as results), smtpd_restriction_classes,
 * the trivial-rewrite checks (permit_auth_destination, reject/defer_unauth_destination,
 * reject_unlisted_sender/recipient and the implicit smtpd_reject_unlisted_recipient check),
 * reject_unknown_{sender,recipient}_domain, reject_unknown_helo_hostname and
 * reject_unknown_(reverse_)client_hostname, reject_multi_recipient_bounce,
 * reject_rbl_client, reject_rhsbl_*, permit_dnswl_client, permit_rhswl_client (with TXT reasons
 * in default_rbl_reply / rbl_reply_maps), check_*_{mx,ns,a}_access. Any unknown name defers
 * as a configuration error (451 4.3.5), like Postfix.
 */
final class Restrictions {
    /** The restriction lists and their stage names, in evaluation order at RCPT. */
    enum Stage {
        CLIENT("smtpd_client_restrictions", "Client host"),
        HELO("smtpd_helo_restrictions", "Helo command"),
        SENDER("smtpd_sender_restrictions", "Sender address"),
        RELAY("smtpd_relay_restrictions", "Recipient address"),
        RECIPIENT("smtpd_recipient_restrictions", "Recipient address"),
        DATA("smtpd_data_restrictions", "Data command"),
        END_OF_DATA("smtpd_end_of_data_restrictions", "End-of-data"),
        ETRN("smtpd_etrn_restrictions", "Etrn command");

        final String parameter;
        final String reportClass;

        Stage(String parameter, String reportClass) {
            this.parameter = parameter;
            this.reportClass = reportClass;
        }
    }

    /** What the restrictions may look at: the session state at the time of the check. */
    interface State {
        String clientName();

        String clientAddress();

        InetAddress clientInetAddress();

        /** The HELO/EHLO argument as received (sanitised), or null. */
        String helo();

        /** The MAIL FROM address, "" for the null sender, or null before MAIL. */
        String sender();

        /** The recipient being checked, or null outside RCPT. */
        String recipient();

        boolean illegalPipelining();

        /** Recipients accepted so far in this transaction. */
        default int recipientCount() {
            return 0;
        }

        /** The ETRN argument while ETRN is checked, else null. */
        default String etrnDomain() {
            return null;
        }

        /** The unverified reverse (PTR) name, or "unknown". */
        default String reverseName() {
            return clientName();
        }

        /** The SASL login name after a successful AUTH, else null. */
        default String saslUsername() {
            return null;
        }

        /**
         * The client certificate's fingerprints (certificate, then public key; per
         * smtpd_tls_fingerprint_digest), or an empty list without TLS or without a certificate.
         */
        default List<String> ccertFingerprints() {
            return List.of();
        }

        /** Whether the client certificate verified against smtpd_tls_CAfile/CApath. */
        default boolean ccertTrusted() {
            return false;
        }
    }

    /** Restrictions that take one argument after their name. */
    private static final java.util.Set<String> WITH_ARGUMENT = java.util.Set.of("sleep", "reject_rbl_client",
            "reject_rhsbl_client", "reject_rhsbl_reverse_client", "reject_rhsbl_helo", "reject_rhsbl_sender",
            "reject_rhsbl_recipient", "permit_dnswl_client", "permit_rhswl_client");

    /** A side effect an access table asked for (HOLD, DISCARD, FILTER, REDIRECT, BCC, PREPEND). */
    record Action(String kind, String value) {
    }

    private static final Map<String, String> DEFAULTS = Map.of(
            "smtpd_client_restrictions", "",
            "smtpd_helo_restrictions", "",
            "smtpd_sender_restrictions", "",
            "smtpd_relay_restrictions", "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination",
            "smtpd_recipient_restrictions", "",
            "smtpd_data_restrictions", "",
            "smtpd_end_of_data_restrictions", "",
            "smtpd_etrn_restrictions", "");

    private final Map<Stage, List<String>> lists = new HashMap<>();
    private final Config config;
    private final NetworkList mynetworks;
    private final String nullAccessKey;
    private final TableOpener tables;
    private final org.posthorn.log.Log log;
    private final Map<String, Table> opened = new HashMap<>();
    private final TrivialRewrite rewrite;
    private final DnsLookup dns;
    private final Map<String, Maps> recipientMaps = new HashMap<>();
    private Sleeper sleeper = Thread::sleep;

    /** Pauses for the sleep restriction; tests replace it. */
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    void sleeper(Sleeper s) {
        this.sleeper = s;
    }

    /** Opens a "type:name" table; tests substitute their own tables for the factory. */
    interface TableOpener {
        Table open(String spec) throws TableException;
    }

    // pending per-command state (Postfix's defer_if_permit, defer_if_reject, warn_if_reject)
    private Verdict.Reject deferIfPermit;
    private Verdict.Reject deferIfReject;
    private boolean warnIfReject;
    private final List<Action> actions = new ArrayList<>();
    private Consumer<String> warningLog = s -> { };

    Restrictions(Config config, NetworkList mynetworks, String nullAccessKey, TableOpener tables,
                 org.posthorn.log.Log log) {
        this(config, mynetworks, nullAccessKey, tables, log, null, DnsLookup.JDK);
    }

    /**
     * @param rewrite trivial-rewrite for the relay and recipient checks; null makes them defer
     *                (451 4.3.5) as a configuration error
     * @param dns     the resolver of reject_unknown_* and the DNS list checks
     */
    Restrictions(Config config, NetworkList mynetworks, String nullAccessKey, TableOpener tables,
                 org.posthorn.log.Log log, TrivialRewrite rewrite, DnsLookup dns) {
        this.rewrite = rewrite;
        this.dns = dns;
        this.config = config;
        this.mynetworks = mynetworks;
        this.nullAccessKey = nullAccessKey;
        this.tables = tables != null ? tables : spec -> TableFactory.open(spec, config);
        this.log = log;
        for (Stage s : Stage.values()) {
            String v = config == null || config.raw(s.parameter) == null ? DEFAULTS.get(s.parameter) : config.get(s.parameter);
            lists.put(s, SmtpdSettings.splitList(v));
        }
    }

    boolean isEmpty(Stage stage) {
        return lists.get(stage).isEmpty();
    }

    /** Side effects requested by access tables in this transaction. */
    List<Action> actions() {
        return actions;
    }

    void resetActions() {
        actions.clear();
    }

    /** Where reject_warning lines and other notes go (the session prefixes them). */
    void onWarning(Consumer<String> sink) {
        this.warningLog = sink;
    }

    /**
     * Evaluates the lists of the stages in order, as one command: a permit ends only its own
     * list, a reject ends everything. A pending defer_if_permit applies when the command ends
     * without a reject. Returns null when the command may proceed.
     */
    Verdict.Reject check(State state, Stage... stages) {
        deferIfPermit = null;
        deferIfReject = null;
        warnIfReject = false;
        boolean recipientStage = false;
        for (Stage stage : stages) {
            Verdict v = evaluate(state, stage, lists.get(stage));
            if (v instanceof Verdict.Reject r) return r;
            recipientStage |= stage == Stage.RECIPIENT;
        }
        // Postfix checks the recipient tables after the restrictions have not rejected
        if (recipientStage && state.recipient() != null && param("smtpd_reject_unlisted_recipient", "yes").equals("yes")) {
            Verdict v = unlisted(state, state.recipient(), Stage.RECIPIENT);
            if (v instanceof Verdict.Reject r) return r;
        }
        return deferIfPermit;
    }

    private String param(String name, String fallback) {
        if (config == null) return fallback;
        String v = config.raw(name) == null ? fallback : config.get(name);
        return v == null ? fallback : v.strip();
    }

    private int code(String name, int fallback) {
        try {
            return Integer.parseInt(param(name, String.valueOf(fallback)));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    // ---- restriction classes and restrictions with an argument ----

    private boolean isClass(String name) {
        return SmtpdSettings.splitList(param("smtpd_restriction_classes", "")).contains(name);
    }

    /** A smtpd_restriction_classes name: its own list decides, and its permit or reject counts for the caller. */
    private Verdict restrictionClass(State state, Stage stage, String name) {
        if (depth > 100) return configError(state, stage, "restriction class nesting too deep: " + name);
        depth++;
        try {
            Verdict v = evaluate(state, stage, SmtpdSettings.splitList(param(name, "")));
            return v instanceof Verdict.Permit ? Verdict.PERMIT : v;
        } finally {
            depth--;
        }
    }

    private Verdict withArgument(State state, Stage stage, String name, String argument) {
        if (name.equals("sleep")) {
            try {
                sleeper.sleep(Long.parseLong(argument.strip()) * 1000);
            } catch (NumberFormatException e) {
                return configError(state, stage, "bad sleep time \"" + argument + "\"");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Verdict.DUNNO;
        }
        try {
            return dnsList(state, name, argument);
        } catch (UnsupportedOperationException e) {
            return configError(state, stage, name + " " + argument + ": " + e.getMessage());
        }
    }

    /**
     * reject_rbl_client, permit_dnswl_client, reject_rhsbl_* and permit_rhswl_client:
     * "list.example[=d.d.d.d]" queried by A record; a hit on a reject list replies with
     * default_rbl_reply or rbl_reply_maps and the TXT record as $rbl_reason.
     */
    private Verdict dnsList(State state, String name, String argument) {
        int eq = argument.indexOf('=');
        String listDomain = eq < 0 ? argument : argument.substring(0, eq);
        String filter = eq < 0 ? null : argument.substring(eq + 1);
        String what;
        String rblClass;
        String query;
        boolean byAddress = name.equals("reject_rbl_client") || name.equals("permit_dnswl_client");
        if (byAddress) {
            if (state.clientInetAddress() == null) return Verdict.DUNNO;
            what = state.clientAddress();
            rblClass = "Client host";
            query = reversedAddress(state.clientInetAddress()) + "." + listDomain;
        } else {
            String domain = switch (name) {
                case "reject_rhsbl_client", "permit_rhswl_client" -> known(state.clientName());
                case "reject_rhsbl_reverse_client" -> known(state.reverseName());
                case "reject_rhsbl_helo" -> state.helo();
                case "reject_rhsbl_sender" -> domainOf(state.sender());
                default -> domainOf(state.recipient());
            };
            if (domain == null || domain.isEmpty() || domain.startsWith("[")) return Verdict.DUNNO;
            what = domain;
            rblClass = switch (name) {
                case "reject_rhsbl_helo" -> "Helo command";
                case "reject_rhsbl_sender" -> "Sender address";
                case "reject_rhsbl_recipient" -> "Recipient address";
                case "reject_rhsbl_reverse_client" -> "Unverified Client host";
                default -> "Client host";
            };
            query = domain + "." + listDomain;
        }
        DnsLookup.Answer answer = dns.a(query);
        boolean listed = answer.found() && (filter == null || answer.records().stream().anyMatch(a -> matchesFilter(a, filter)));
        if (!listed) return Verdict.DUNNO;
        if (name.startsWith("permit_")) return Verdict.PERMIT;
        return rblReply(state, argument, listDomain, rblClass, what, rblReason(query));
    }

    /**
     * The TXT records of a listed name, joined with " / " up to line_length_limit characters
     * and made printable; "" when there are none.
     */
    private String rblReason(String query) {
        DnsLookup.Answer txt;
        try {
            txt = dns.txt(query);
        } catch (UnsupportedOperationException e) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        int limit = code("line_length_limit", 2048);
        for (String r : txt.records()) {
            if (!out.isEmpty()) out.append(" / ");
            r.codePoints().forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
            if (out.length() >= limit) break;
        }
        return out.length() > limit ? out.substring(0, limit) : out.toString();
    }

    /**
     * The reply for a DNS list hit: the rbl_reply_maps template for the list (looked up as
     * written, then without its =filter), else default_rbl_reply, with one level of the
     * $rbl_* and client/sender/recipient attributes; code and enhanced status come first.
     */
    private Verdict rblReply(State state, String argument, String listDomain, String rblClass, String what,
                             String reason) {
        int code = code("maps_rbl_reject_code", 554);
        String template = null;
        String maps = param("rbl_reply_maps", "");
        if (!maps.isEmpty()) {
            try {
                if (rblReplyMaps == null) rblReplyMaps = Maps.open("rbl_reply_maps", maps, config);
                Maps.Match m = rblReplyMaps.find(argument.toLowerCase(Locale.ROOT), false);
                if (m == null && !argument.equals(listDomain)) m = rblReplyMaps.find(listDomain.toLowerCase(Locale.ROOT), false);
                if (m != null) template = m.value();
            } catch (TableException e) {
                log.warning("%s", e.getMessage());
                return new Verdict.Reject(451, "4.3.0", "<" + what + ">: " + rblClass + " rejected: Temporary lookup failure");
            }
        }
        if (template == null) {
            template = config == null || config.raw("default_rbl_reply") == null
                    ? "$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain${rbl_reason?; $rbl_reason}"
                    : config.raw("default_rbl_reply");
        }
        Map<String, String> macros = new HashMap<>();
        macros.put("rbl_code", String.valueOf(code));
        macros.put("rbl_class", rblClass);
        macros.put("rbl_what", what);
        macros.put("rbl_domain", listDomain);
        macros.put("rbl_reason", reason);
        macros.put("client_address", nonNull(state.clientAddress()));
        macros.put("client_name", nonNull(state.clientName()));
        macros.put("client", nonNull(state.clientName()) + "[" + nonNull(state.clientAddress()) + "]");
        macros.put("reverse_client_name", nonNull(state.reverseName()));
        macros.put("helo_name", nonNull(state.helo()));
        addressMacros(macros, "sender", state.sender());
        addressMacros(macros, "recipient", state.recipient());
        // values are not expanded again (Postfix: exactly one level of substitution)
        macros.replaceAll((k, v) -> v.replace("$", "$$"));
        String text;
        try {
            text = Config.of(java.nio.file.Path.of("/nonexistent"), macros).expand(template);
        } catch (RuntimeException e) {
            log.warning("%s", "default_rbl_reply or rbl_reply_maps template \"" + template + "\": " + e.getMessage());
            return new Verdict.Reject(451, "4.3.5", "<" + what + ">: " + rblClass + " rejected: Server configuration error");
        }
        return templateReply(text, code);
    }

    private Maps rblReplyMaps;

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    /** $sender, $sender_name, $sender_domain (and the recipient ones): "<>" for the null address. */
    private static void addressMacros(Map<String, String> macros, String prefix, String address) {
        String a = address == null || address.isEmpty() ? "<>" : address;
        int at = a.lastIndexOf('@');
        macros.put(prefix, a);
        macros.put(prefix + "_name", at < 0 ? a : a.substring(0, at));
        macros.put(prefix + "_domain", at < 0 ? "" : a.substring(at + 1));
    }

    /** "NNN [d.d.d] text" from an expanded template; a missing enhanced code becomes N.7.1. */
    private static Verdict templateReply(String text, int fallbackCode) {
        String t = text.strip();
        int code = fallbackCode;
        if (t.length() >= 3 && t.substring(0, 3).chars().allMatch(Character::isDigit)
                && (t.length() == 3 || t.charAt(3) == ' ')) {
            code = Integer.parseInt(t.substring(0, 3));
            t = t.substring(3).strip();
        }
        String dsn = code / 100 + ".7.1";
        int sp = t.indexOf(' ');
        String first = sp < 0 ? t : t.substring(0, sp);
        if (first.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
            dsn = code / 100 + first.substring(1);
            t = sp < 0 ? "" : t.substring(sp + 1).strip();
        }
        return new Verdict.Reject(code, dsn, t);
    }

    /** A DNS list filter: d.d.d.d where each part may be a number or [n;m..k] alternatives. */
    static boolean matchesFilter(String address, String filter) {
        String[] a = address.split("\\.");
        String[] f = filter.split("\\.(?![^\\[]*\\])");
        if (a.length != 4 || f.length != 4) return false;
        for (int i = 0; i < 4; i++) {
            if (!f[i].startsWith("[")) {
                if (!f[i].equals(a[i])) return false;
                continue;
            }
            boolean any = false;
            int octet = Integer.parseInt(a[i]);
            for (String alt : f[i].substring(1, f[i].length() - 1).split(";")) {
                int dots = alt.indexOf("..");
                if (dots < 0 ? Integer.parseInt(alt) == octet
                        : octet >= Integer.parseInt(alt.substring(0, dots)) && octet <= Integer.parseInt(alt.substring(dots + 2))) {
                    any = true;
                }
            }
            if (!any) return false;
        }
        return true;
    }

    /** 1.2.3.4 becomes 4.3.2.1; IPv6 becomes its nibbles in reverse order. */
    static String reversedAddress(InetAddress address) {
        byte[] b = address.getAddress();
        StringBuilder out = new StringBuilder();
        if (b.length == 4) {
            for (int i = 3; i >= 0; i--) out.append(b[i] & 0xff).append(i > 0 ? "." : "");
        } else {
            for (int i = b.length - 1; i >= 0; i--) {
                out.append(Character.forDigit(b[i] & 0xf, 16)).append('.')
                        .append(Character.forDigit((b[i] >> 4) & 0xf, 16)).append(i > 0 ? "." : "");
            }
        }
        return out.toString();
    }

    private static String known(String name) {
        return name == null || name.equals("unknown") ? null : name;
    }

    private static String domainOf(String address) {
        if (address == null) return null;
        int at = address.lastIndexOf('@');
        return at < 0 ? null : address.substring(at + 1);
    }

    // ---- trivial-rewrite based checks (postfix.md §3.3, §4.4) ----

    private Resolution resolve(State state, String address) {
        return rewrite.resolve(state.sender() == null ? "" : state.sender(), address);
    }

    /**
     * permit_auth_destination: PERMIT when the recipient is in a local, virtual or relay
     * class without untrusted sender routing; null when no decision (DUNNO); a reject on
     * a failed lookup.
     */
    private Verdict authDestination(State state, Stage stage) {
        String rcpt = state.recipient();
        if (rcpt == null) return Verdict.DUNNO;
        if (rewrite == null) return configError(state, stage, "no trivial-rewrite service for relay checks");
        Resolution r = resolve(state, rcpt);
        if (r.failed()) return reject(451, "4.3.0", "<" + rcpt + ">", Stage.RECIPIENT, "Temporary lookup failure");
        boolean untrusted = param("allow_untrusted_routing", "no").equals("yes");
        return r.permitsUnauthenticatedDelivery(untrusted) ? Verdict.PERMIT : Verdict.DUNNO;
    }

    /** reject_unauth_destination (relay_domains_reject_code, 5.7.1) and defer_unauth_destination (4.7.1). */
    private Verdict unauthDestination(State state, Stage stage, boolean defer) {
        Verdict v = authDestination(state, stage);
        if (v instanceof Verdict.Reject) return v;
        if (v instanceof Verdict.Permit) return Verdict.DUNNO;
        // defer_unauth_destination: the 4xx twin of relay_domains_reject_code (554 gives 454)
        int code = code("relay_domains_reject_code", 554) - (defer ? 100 : 0);
        return new Verdict.Reject(code, code / 100 + ".7.1",
                "<" + state.recipient() + ">: Relay access denied");
    }

    /**
     * The recipient (or sender) table check of smtpd_reject_unlisted_recipient,
     * reject_unlisted_recipient and reject_unlisted_sender: an address in a local, virtual
     * alias, virtual mailbox or relay domain must be listed in that class's table.
     */
    private Verdict unlisted(State state, String address, Stage reportStage) {
        if (address == null || address.isEmpty() || rewrite == null) return Verdict.DUNNO;
        Resolution r = resolve(state, address);
        String what = "<" + address + ">";
        if (r.failed()) return reject(451, "4.3.0", what, reportStage, "Temporary lookup failure");
        AddressClass c = r.addressClass();
        if (c == null || c == AddressClass.DEFAULT) return Verdict.DUNNO;
        String rcpt = r.recipient();
        boolean show = param("show_user_unknown_table_name", "yes").equals("yes");
        try {
            if (listed("virtual_alias_maps", rcpt, c)) return Verdict.DUNNO;
            String table;
            int code;
            String parameter;
            switch (c) {
                case ALIAS -> {
                    table = "virtual alias table";
                    code = code("unknown_virtual_alias_reject_code", 550);
                    parameter = null;
                }
                case LOCAL -> {
                    table = "local recipient table";
                    code = code("unknown_local_recipient_reject_code", 550);
                    parameter = "local_recipient_maps";
                }
                case VIRTUAL -> {
                    table = "virtual mailbox table";
                    code = code("unknown_virtual_mailbox_reject_code", 550);
                    parameter = "virtual_mailbox_maps";
                }
                default -> {
                    table = "relay recipient table";
                    code = code("unknown_relay_recipient_reject_code", 550);
                    parameter = "relay_recipient_maps";
                }
            }
            if (parameter != null && (param(parameter, "").isEmpty() || listed(parameter, rcpt, c))) return Verdict.DUNNO;
            // the enhanced code says which address: x.1.1 a recipient, x.1.0 a sender
            return reject(code, code / 100 + (reportStage == Stage.SENDER ? ".1.0" : ".1.1"), what, reportStage,
                    "User unknown" + (show ? " in " + table : ""));
        } catch (TableException e) {
            log.warning("%s", e.getMessage());
            return reject(451, "4.3.0", what, reportStage, "Temporary lookup failure");
        }
    }

    private boolean listed(String parameter, String address, AddressClass c) throws TableException {
        String spec = param(parameter, parameter.equals("local_recipient_maps")
                ? "proxy:unix:passwd.byname $alias_maps" : "");
        if (spec.isEmpty()) return false;
        Maps maps = recipientMaps.get(parameter);
        if (maps == null) {
            maps = Maps.open(parameter, spec, config);
            recipientMaps.put(parameter, maps);
        }
        return AddressLookup.mailAddress(maps, address.toLowerCase(Locale.ROOT), param("recipient_delimiter", ""),
                d -> c == AddressClass.LOCAL) != null;
    }

    /**
     * reject_unknown_sender_domain / reject_unknown_recipient_domain: a domain outside the
     * local, virtual alias and virtual mailbox classes must have an MX record or else an
     * address record. A null MX is refused outright (550 5.7.27 for a sender, 556 5.1.10 for
     * a recipient, as Postfix 3.7); a DNS failure to try again takes
     * unknown_address_tempfail_action.
     */
    private Verdict unknownDomain(State state, String address, Stage reportStage) {
        if (address == null || address.isEmpty()) return Verdict.DUNNO;
        String domain = domainOf(address);
        if (domain == null || domain.startsWith("[")) return Verdict.DUNNO;
        if (rewrite != null) {
            Resolution r = resolve(state, address);
            if (r.addressClass() != null && r.addressClass().isFinal()) return Verdict.DUNNO;
        }
        boolean sender = reportStage == Stage.SENDER;
        String what = "<" + address + ">";
        DnsLookup.Answer mx = mailExchangers(domain);
        if (mx.records().equals(List.of(""))) {
            return reject(sender ? 550 : 556, sender ? "5.7.27" : "5.1.10", what, reportStage,
                    "Domain " + domain + " does not accept mail (nullMX)");
        }
        if (mx.found()) return Verdict.DUNNO;
        DnsLookup.Answer a = dns.addresses(domain);
        if (a.found()) return Verdict.DUNNO;
        String detail = sender ? ".1.8" : ".1.2";
        if (a.tempFail() || mx.tempFail()) {
            return tempFail(param("unknown_address_tempfail_action", param("reject_tempfail_action", "defer_if_permit")),
                    reject(450, "4" + detail, what, reportStage, "Domain not found"));
        }
        int code = code("unknown_address_reject_code", 450);
        return reject(code, code / 100 + detail, what, reportStage, "Domain not found");
    }

    /** MX records, or nothing when the resolver cannot ask for them (the JDK resolver). */
    private DnsLookup.Answer mailExchangers(String domain) {
        try {
            return dns.mx(domain);
        } catch (UnsupportedOperationException e) {
            return DnsLookup.Answer.NOT_FOUND;
        }
    }

    /**
     * Postfix's *_tempfail_action for a DNS failure to try again: defer_if_permit (the
     * default) and defer_if_reject leave the reply pending, defer replies at once.
     */
    private Verdict tempFail(String action, Verdict.Reject reply) {
        switch (action.toLowerCase(Locale.ROOT)) {
            case "defer" -> {
                return reply;
            }
            case "defer_if_reject" -> deferIfReject = reply;
            default -> deferIfPermit = reply;
        }
        return Verdict.DUNNO;
    }

    /**
     * reject_unknown_helo_hostname: the HELO name must have an address or MX record; a DNS
     * failure to try again takes unknown_helo_hostname_tempfail_action.
     */
    private Verdict unknownHelo(State state) {
        String h = state.helo();
        if (h == null || h.startsWith("[") || Hostnames.parseAddress(h, false) != null
                || Hostnames.parseAddress(h, true) != null) {
            return Verdict.DUNNO;
        }
        DnsLookup.Answer a = dns.addresses(h);
        if (a.found()) return Verdict.DUNNO;
        DnsLookup.Answer mx = mailExchangers(h);
        if (mx.found()) return Verdict.DUNNO;
        if (a.tempFail() || mx.tempFail()) {
            return tempFail(param("unknown_helo_hostname_tempfail_action",
                            param("reject_tempfail_action", "defer_if_permit")),
                    reject(450, "4.7.1", "<" + h + ">", Stage.HELO, "Host not found"));
        }
        int code = code("unknown_hostname_reject_code", 450);
        return reject(code, code / 100 + ".7.1", "<" + h + ">", Stage.HELO, "Host not found");
    }

    private int depth;

    private Verdict evaluate(State state, Stage stage, List<String> list) {
        for (int i = 0; i < list.size(); i++) {
            String name = list.get(i).toLowerCase(Locale.ROOT);
            boolean warn = warnIfReject;
            warnIfReject = false;
            Verdict v;
            if (name.startsWith("check_") && name.endsWith("_access") || WITH_ARGUMENT.contains(name)) {
                if (i + 1 >= list.size()) {
                    v = configError(state, stage, "restriction " + name + " requires an argument");
                } else if (name.startsWith("check_")) {
                    v = access(state, stage, name, list.get(++i));
                } else {
                    v = withArgument(state, stage, name, list.get(++i));
                }
            } else if (isClass(list.get(i))) {
                v = restrictionClass(state, stage, list.get(i));
            } else {
                v = single(state, stage, name);
            }
            if (v instanceof Verdict.Reject r) {
                if (warn) {
                    warningLog.accept("reject_warning:" + r.reply());
                    continue;
                }
                if (deferIfReject != null && r.code() >= 500) return deferIfReject;
                return r;
            }
            if (v instanceof Verdict.Permit) return permit();
        }
        return Verdict.DUNNO;
    }

    /** Postfix smtpd_acl_permit: a permit with a pending defer_if_permit becomes that defer. */
    private Verdict permit() {
        return deferIfPermit != null ? deferIfPermit : Verdict.PERMIT;
    }

    private Verdict single(State state, Stage stage, String name) {
        String what = reportName(state, stage);
        return switch (name) {
            case "permit" -> Verdict.PERMIT;
            case "reject" -> reject(554, "5.7.1", what, stage, "Access denied");
            case "defer" -> reject(450, "4.3.2", what, stage, "Try again later");
            case "defer_if_permit" -> {
                deferIfPermit = reject(450, "4.7.0", what, stage, "defer_if_permit requested");
                yield Verdict.DUNNO;
            }
            case "defer_if_reject" -> {
                deferIfReject = reject(450, "4.7.0", what, stage, "defer_if_reject requested");
                yield Verdict.DUNNO;
            }
            case "warn_if_reject" -> {
                warnIfReject = true;
                yield Verdict.DUNNO;
            }
            case "dunno" -> Verdict.DUNNO;
            case "permit_sasl_authenticated" -> state.saslUsername() != null ? Verdict.PERMIT : Verdict.DUNNO;
            case "reject_sender_login_mismatch" -> senderLogin(state, true, false, true);
            case "reject_authenticated_sender_login_mismatch" -> senderLogin(state, true, false, false);
            case "reject_known_sender_login_mismatch" -> senderLogin(state, true, true, true);
            case "reject_unauthenticated_sender_login_mismatch" -> senderLogin(state, false, false, true);
            case "permit_mynetworks" -> mynetworks.matches(state.clientInetAddress()) ? Verdict.PERMIT : Verdict.DUNNO;
            case "permit_tls_all_clientcerts" -> state.ccertTrusted() ? Verdict.PERMIT : Verdict.DUNNO;
            case "permit_tls_clientcerts" -> relayClientcert(state, stage);
            case "reject_unauth_pipelining" -> state.illegalPipelining()
                    ? reject(503, "5.5.0", what, stage, "Improper use of SMTP command pipelining") : Verdict.DUNNO;
            case "reject_invalid_helo_hostname", "reject_invalid_hostname" -> {
                String h = state.helo();
                yield h != null && !validHelo(h)
                        ? reject(501, "5.5.2", "<" + h + ">", Stage.HELO, "Invalid name") : Verdict.DUNNO;
            }
            case "reject_non_fqdn_helo_hostname", "reject_non_fqdn_hostname" -> {
                String h = state.helo();
                yield h != null && !fqdnHelo(h)
                        ? reject(504, "5.5.2", "<" + h + ">", Stage.HELO, "need fully-qualified hostname") : Verdict.DUNNO;
            }
            case "reject_non_fqdn_sender" -> {
                String s = state.sender();
                yield s != null && !s.isEmpty() && !fqdnAddress(s)
                        ? reject(504, "5.5.2", "<" + s + ">", Stage.SENDER, "need fully-qualified address") : Verdict.DUNNO;
            }
            case "reject_non_fqdn_recipient" -> {
                String r = state.recipient();
                yield r != null && !fqdnAddress(r)
                        ? reject(504, "5.5.2", "<" + r + ">", Stage.RECIPIENT, "need fully-qualified address")
                        : Verdict.DUNNO;
            }
            case "permit_auth_destination" -> authDestination(state, stage);
            case "reject_unauth_destination" -> unauthDestination(state, stage, false);
            case "defer_unauth_destination" -> unauthDestination(state, stage, true);
            case "reject_unlisted_recipient", "check_recipient_maps" -> unlisted(state, state.recipient(), Stage.RECIPIENT);
            case "reject_unlisted_sender" -> unlisted(state, state.sender(), Stage.SENDER);
            case "reject_unknown_sender_domain" -> unknownDomain(state, state.sender(), Stage.SENDER);
            case "reject_unknown_recipient_domain" -> unknownDomain(state, state.recipient(), Stage.RECIPIENT);
            case "reject_unknown_helo_hostname", "reject_unknown_hostname" -> unknownHelo(state);
            case "reject_unknown_client_hostname", "reject_unknown_client" -> "unknown".equals(state.clientName())
                    ? unknownClient(state, "cannot find your hostname") : Verdict.DUNNO;
            case "reject_unknown_reverse_client_hostname" -> "unknown".equals(state.reverseName())
                    ? unknownClient(state, "cannot find your reverse hostname") : Verdict.DUNNO;
            case "permit_inet_interfaces" -> state.clientInetAddress() != null && isInterface(state.clientInetAddress())
                    ? Verdict.PERMIT : Verdict.DUNNO;
            case "reject_multi_recipient_bounce" -> multiRecipientBounce(state, stage);
            default -> configError(state, stage, "unsupported restriction \"" + name + "\"");
        };
    }

    /**
     * The sender login checks against smtpd_sender_login_maps (owners of a sender address,
     * separated by commas or spaces). An authenticated client must be one of the owners (with
     * {@code allowUnknown}, only when the address is listed); an unauthenticated client may not
     * use a listed address. Rejections are 553 5.7.1, as Postfix's.
     */
    private Verdict senderLogin(State state, boolean checkAuthenticated, boolean allowUnknown,
                                boolean checkUnauthenticated) {
        String sender = state.sender();
        if (sender == null || sender.isEmpty()) return Verdict.DUNNO;
        String spec = param("smtpd_sender_login_maps", "");
        if (spec.isEmpty()) return Verdict.DUNNO;
        String user = state.saslUsername();
        if (user == null && !checkUnauthenticated || user != null && !checkAuthenticated) return Verdict.DUNNO;
        Maps.Match owners;
        try {
            Maps maps = recipientMaps.get("smtpd_sender_login_maps");
            if (maps == null) {
                maps = Maps.open("smtpd_sender_login_maps", spec, config);
                recipientMaps.put("smtpd_sender_login_maps", maps);
            }
            owners = AddressLookup.mailAddress(maps, sender.toLowerCase(Locale.ROOT), param("recipient_delimiter", ""),
                    d -> false);
        } catch (TableException e) {
            log.warning("%s", "smtpd_sender_login_maps: " + e.getMessage());
            return reject(451, "4.3.0", "<" + sender + ">", Stage.SENDER, "Temporary lookup failure");
        }
        if (user == null) {
            return owners == null ? Verdict.DUNNO
                    : new Verdict.Reject(553, "5.7.1", "<" + sender + ">: Sender address rejected: not logged in");
        }
        if (owners == null) {
            return allowUnknown ? Verdict.DUNNO
                    : new Verdict.Reject(553, "5.7.1", "<" + sender + ">: Sender address rejected: not owned by user " + user);
        }
        for (String owner : Config.splitList(owners.value())) {
            if (owner.equalsIgnoreCase(user)) return Verdict.DUNNO;
        }
        return new Verdict.Reject(553, "5.7.1", "<" + sender + ">: Sender address rejected: not owned by user " + user);
    }

    private Verdict unknownClient(State state, String why) {
        int code = code("unknown_client_reject_code", 450);
        return new Verdict.Reject(code, code / 100 + ".7.25", "Client host rejected: " + why + ", ["
                + state.clientAddress() + "]");
    }

    private org.posthorn.address.InterfaceAddresses interfaces;
    private org.posthorn.rewrite.HeaderRewriteClients headerRewriteClients;

    /**
     * The rewrite context cleanup gets for this client (local_header_rewrite_clients, default
     * permit_inet_interfaces): local when an item matches, else remote as Postfix's smtpd asks.
     */
    org.posthorn.rewrite.RewriteContext headerRewriteContext(State state) {
        if (config == null || state.clientInetAddress() == null) return null;
        try {
            isInterface(state.clientInetAddress());
            if (interfaces == null) return null;
            if (headerRewriteClients == null) {
                headerRewriteClients = new org.posthorn.rewrite.HeaderRewriteClients(
                        param("local_header_rewrite_clients", "permit_inet_interfaces"), interfaces,
                        org.posthorn.address.TableOpener.of(config), log);
            }
            return headerRewriteClients.decide(new org.posthorn.rewrite.HeaderRewriteClients.Client(
                    state.clientInetAddress(), mynetworks.matches(state.clientInetAddress()), false, false, false));
        } catch (TableException e) {
            log.warning("%s", "local_header_rewrite_clients: " + e.getMessage());
            return org.posthorn.rewrite.RewriteContext.REMOTE;
        }
    }

    /** Whether the client address is one of inet_interfaces (permit_inet_interfaces). */
    private boolean isInterface(InetAddress address) {
        if (config == null) return address.isLoopbackAddress();
        try {
            if (interfaces == null) {
                interfaces = org.posthorn.address.InterfaceAddresses.recent(config.getList("inet_interfaces"),
                        List.of(), config.getList("inet_protocols"));
            }
            return interfaces.isOwn(address);
        } catch (java.net.UnknownHostException e) {
            log.warning("%s", "inet_interfaces: " + e.getMessage());
            return false;
        }
    }

    /** reject_multi_recipient_bounce: a null sender with more than one recipient (at RCPT: a second one). */
    private Verdict multiRecipientBounce(State state, Stage stage) {
        if (state.sender() == null || !state.sender().isEmpty()) return Verdict.DUNNO;
        int count = state.recipientCount() + (state.recipient() != null ? 1 : 0);
        if (count <= 1) return Verdict.DUNNO;
        int code = code("multi_recipient_bounce_reject_code", 550);
        return reject(code, code / 100 + ".5.3", reportName(state, stage), stage, "Multi-recipient bounce");
    }

    /** check_{client,helo,sender,recipient,etrn}_access type:name with access(5) results. */
    private Verdict access(State state, Stage stage, String name, String spec) {
        List<String> keys;
        String what;
        Stage reportStage;
        switch (name) {
            case "check_client_access" -> {
                keys = clientKeys(state.clientName(), state.clientAddress(), state.clientInetAddress());
                what = reportName(state, Stage.CLIENT);
                reportStage = Stage.CLIENT;
            }
            case "check_helo_access" -> {
                if (state.helo() == null) return Verdict.DUNNO;
                keys = domainKeys(state.helo().toLowerCase(Locale.ROOT));
                what = "<" + state.helo() + ">";
                reportStage = Stage.HELO;
            }
            case "check_sender_access" -> {
                if (state.sender() == null) return Verdict.DUNNO;
                keys = state.sender().isEmpty() ? List.of(nullAccessKey) : addressKeys(state.sender());
                what = "<" + state.sender() + ">";
                reportStage = Stage.SENDER;
            }
            case "check_reverse_client_hostname_access" -> {
                keys = clientKeys(state.reverseName(), state.clientAddress(), state.clientInetAddress());
                what = "<" + state.reverseName() + "[" + state.clientAddress() + "]>";
                reportStage = Stage.CLIENT;
            }
            case "check_ccert_access" -> {
                // Postfix looks up the certificate fingerprint, then the public-key fingerprint,
                // and only for a verified certificate
                if (!state.ccertTrusted() || state.ccertFingerprints().isEmpty()) return Verdict.DUNNO;
                keys = state.ccertFingerprints();
                what = reportName(state, Stage.CLIENT);
                reportStage = Stage.CLIENT;
            }
            case "check_etrn_access" -> {
                if (state.etrnDomain() == null) return Verdict.DUNNO;
                keys = domainKeys(state.etrnDomain().toLowerCase(Locale.ROOT));
                what = "<" + state.etrnDomain() + ">";
                reportStage = Stage.ETRN;
            }
            case "check_recipient_access" -> {
                if (state.recipient() == null) return Verdict.DUNNO;
                keys = addressKeys(state.recipient());
                what = "<" + state.recipient() + ">";
                reportStage = Stage.RECIPIENT;
            }
            default -> {
                java.util.regex.Matcher m = SERVER_ACCESS.matcher(name);
                if (m.matches()) return serverAccess(state, stage, name, m.group(1), m.group(2), spec);
                return configError(state, stage, "unsupported restriction \"" + name + "\"");
            }
        }
        Table table;
        try {
            table = table(spec);
        } catch (TableException e) {
            return configError(state, stage, spec + " is unavailable: " + e.getMessage());
        }
        return lookupKeys(state, stage, table, keys, what, reportStage);
    }

    /** permit_tls_clientcerts: a verified client certificate whose fingerprint relay_clientcerts lists. */
    private Verdict relayClientcert(State state, Stage stage) {
        if (!state.ccertTrusted() || state.ccertFingerprints().isEmpty()) return Verdict.DUNNO;
        String spec = config.get("relay_clientcerts").strip();
        if (spec.isEmpty()) return Verdict.DUNNO;
        for (String one : org.posthorn.config.Config.splitList(spec)) {
            try {
                Table t = table(one);
                for (String fp : state.ccertFingerprints()) {
                    if (t.lookup(fp) != null) return Verdict.PERMIT;
                }
            } catch (TableException e) {
                return configError(state, stage, one + " is unavailable: " + e.getMessage());
            }
        }
        return Verdict.DUNNO;
    }

    private Table table(String spec) throws TableException {
        Table table = opened.get(spec);
        if (table == null) {
            table = tables.open(spec);
            opened.put(spec, table);
        }
        return table;
    }

    /** The access result of the first key the table knows (only the first key for a regexp-like table). */
    private Verdict lookupKeys(State state, Stage stage, Table table, List<String> keys, String what, Stage reportStage) {
        for (String key : table.fixedKeys() ? keys : keys.subList(0, 1)) {
            String value;
            try {
                value = table.lookup(key);
            } catch (TableException e) {
                return reject(451, "4.3.0", what, reportStage, "Temporary lookup failure");
            }
            if (value != null) return accessResult(state, stage, value, what, reportStage);
        }
        return Verdict.DUNNO;
    }

    private static final java.util.regex.Pattern SERVER_ACCESS =
            java.util.regex.Pattern.compile("check_(client|reverse_client_hostname|helo|sender|recipient)_(mx|ns|a)_access");

    /**
     * check_*_{mx,ns,a}_access (Postfix check_server_access): the MX hosts (the name itself
     * when it has no MX record), the NS hosts (of the closest enclosing domain that has
     * them), or the name itself for "a", are looked up in the table by host name and parent
     * domains (not for "a"), then by each of their addresses. A DNS failure is logged and
     * the restriction has no effect; a permitting result (OK) is not allowed and counts as DUNNO.
     */
    private Verdict serverAccess(State state, Stage stage, String name, String subject, String type, String spec) {
        String target;
        String what;
        Stage reportStage;
        switch (subject) {
            case "client" -> {
                target = known(state.clientName());
                what = reportName(state, Stage.CLIENT);
                reportStage = Stage.CLIENT;
            }
            case "reverse_client_hostname" -> {
                target = known(state.reverseName());
                what = "<" + state.reverseName() + "[" + state.clientAddress() + "]>";
                reportStage = Stage.CLIENT;
            }
            case "helo" -> {
                target = state.helo();
                what = "<" + state.helo() + ">";
                reportStage = Stage.HELO;
            }
            case "sender" -> {
                target = domainOf(state.sender());
                what = "<" + state.sender() + ">";
                reportStage = Stage.SENDER;
            }
            default -> {
                target = domainOf(state.recipient());
                what = "<" + state.recipient() + ">";
                reportStage = Stage.RECIPIENT;
            }
        }
        if (target == null || target.isEmpty()) return Verdict.DUNNO;
        String domain = stripDot(target).toLowerCase(Locale.ROOT);
        Table table;
        try {
            table = table(spec);
        } catch (TableException e) {
            return configError(state, stage, spec + " is unavailable: " + e.getMessage());
        }
        String typeName = type.toUpperCase(Locale.ROOT);
        List<String> servers;
        if (domain.startsWith("[")) {
            // an address literal is its own server
            InetAddress literal = addressLiteral(domain);
            if (literal == null) return Verdict.DUNNO;
            return serverAddress(state, stage, name, table, literal.getHostAddress(), literal, what, reportStage);
        } else if (type.equals("a")) {
            servers = List.of(domain);
        } else {
            DnsLookup.Answer answer;
            try {
                answer = type.equals("mx") ? dns.mx(domain) : nameServers(domain);
            } catch (UnsupportedOperationException e) {
                return configError(state, stage, name + ": " + e.getMessage());
            }
            if (answer.tempFail()) {
                log.warning("Unable to look up %s host for %s: Host not found, try again", typeName, domain);
                return Verdict.DUNNO;
            }
            servers = answer.found() ? answer.records() : type.equals("mx") ? List.of(domain) : List.of();
            if (servers.isEmpty()) {
                log.warning("Unable to look up %s host for %s: Host not found", typeName, domain);
                return Verdict.DUNNO;
            }
        }
        for (String server : servers) {
            if (server.isEmpty()) continue; // a null MX names no host
            if (!type.equals("a")) {
                Verdict v = serverResult(name, server, lookupKeys(state, stage, table, domainKeys(server), what, reportStage));
                if (!(v instanceof Verdict.Dunno)) return v;
            }
            DnsLookup.Answer addresses = dns.addresses(server);
            if (!addresses.found()) {
                log.warning("Unable to look up %s host %s for %s %s: %s", typeName, server,
                        reportStage.reportClass, what, addresses.tempFail() ? "Host not found, try again" : "Host not found");
                continue;
            }
            for (String address : addresses.records()) {
                InetAddress inet = Hostnames.parseAddress(address, address.indexOf(':') >= 0);
                Verdict v = serverAddress(state, stage, name, table, address, inet, what, reportStage);
                if (!(v instanceof Verdict.Dunno)) return v;
            }
        }
        return Verdict.DUNNO;
    }

    /** NS records of the domain, else of its closest parent domain that has them. */
    private DnsLookup.Answer nameServers(String domain) {
        String d = domain;
        while (true) {
            DnsLookup.Answer answer = dns.ns(d);
            if (answer.found() || answer.tempFail()) return answer;
            int dot = d.indexOf('.');
            if (dot < 0 || dot == d.length() - 1) return answer;
            d = d.substring(dot + 1);
        }
    }

    private Verdict serverAddress(State state, Stage stage, String name, Table table, String address, InetAddress inet,
                                  String what, Stage reportStage) {
        return serverResult(name, address,
                lookupKeys(state, stage, table, clientKeys(null, address, inet), what, reportStage));
    }

    /** OK is not allowed with the server checks (it would let someone else's DNS whitelist); Postfix's three warnings. */
    private Verdict serverResult(String name, String server, Verdict v) {
        if (!(v instanceof Verdict.Permit)) return v;
        log.warning("restriction %s returns OK for %s", name, server);
        log.warning("this is not allowed for security reasons");
        log.warning("use DUNNO instead of OK if you want to make an exception");
        return Verdict.DUNNO;
    }

    /** One access(5) value (postfix.md §3.5). */
    private Verdict accessResult(State state, Stage stage, String value, String what, Stage reportStage) {
        String v = value.strip();
        int sp = v.indexOf(' ');
        String word = (sp < 0 ? v : v.substring(0, sp)).toUpperCase(Locale.ROOT);
        String text = sp < 0 ? "" : v.substring(sp + 1).strip();
        if (word.equals("OK") || word.chars().allMatch(Character::isDigit) && !word.isEmpty()
                && !(word.length() == 3 && (word.charAt(0) == '4' || word.charAt(0) == '5') && !text.isEmpty())) {
            return Verdict.PERMIT;
        }
        switch (word) {
            case "REJECT" -> {
                return reject(554, "5.7.1", what, reportStage, text.isEmpty() ? "Access denied" : text);
            }
            case "DEFER" -> {
                return reject(450, "4.7.1", what, reportStage, text.isEmpty() ? "Access denied" : text);
            }
            case "DUNNO" -> {
                return Verdict.DUNNO;
            }
            case "DEFER_IF_REJECT" -> {
                deferIfReject = reject(450, "4.7.1", what, reportStage, text.isEmpty() ? "Service unavailable" : text);
                return Verdict.DUNNO;
            }
            case "DEFER_IF_PERMIT" -> {
                deferIfPermit = reject(450, "4.7.1", what, reportStage, text.isEmpty() ? "Service unavailable" : text);
                return Verdict.DUNNO;
            }
            case "HOLD", "DISCARD", "FILTER", "REDIRECT", "BCC", "PREPEND" -> {
                // Postfix logs a HOLD or DISCARD once per transaction, a PREPEND never
                boolean repeated = (word.equals("HOLD") || word.equals("DISCARD"))
                        && actions.stream().anyMatch(a -> a.kind().equals(word));
                actions.add(new Action(word, text));
                if (!repeated && !word.equals("PREPEND")) {
                    String says = word.equals("HOLD") || word.equals("DISCARD")
                            ? (text.isEmpty() ? "triggers " + word + " action" : text)
                            : "triggers " + word + " " + text;
                    warningLog.accept(word.toLowerCase(Locale.ROOT) + ":" + what + ": " + reportStage.reportClass
                            + " " + says);
                }
                return Verdict.DUNNO;
            }
            case "WARN", "INFO" -> {
                warningLog.accept(word.toLowerCase(Locale.ROOT) + ":" + text);
                return Verdict.DUNNO;
            }
            default -> {
                // 4NN/5NN [d.d.d] text
                if (word.length() == 3 && (word.charAt(0) == '4' || word.charAt(0) == '5')
                        && word.chars().allMatch(Character::isDigit)) {
                    int code = Integer.parseInt(word);
                    String dsn = word.charAt(0) + ".7.1";
                    String rest = text;
                    int sp2 = rest.indexOf(' ');
                    String first = sp2 < 0 ? rest : rest.substring(0, sp2);
                    if (first.matches("[45]\\.\\d{1,3}\\.\\d{1,3}") && first.charAt(0) == word.charAt(0)) {
                        dsn = first;
                        rest = sp2 < 0 ? "" : rest.substring(sp2 + 1);
                    }
                    return reject(code, dsn, what, reportStage, rest.isEmpty() ? "Access denied" : rest);
                }
                // restriction names or a restriction class as the value (e.g. permit_mynetworks)
                if (depth > 100) return configError(state, stage, "access table result nesting too deep: " + v);
                depth++;
                try {
                    return evaluate(state, stage, SmtpdSettings.splitList(v));
                } finally {
                    depth--;
                }
            }
        }
    }

    private Verdict configError(State state, Stage stage, String why) {
        log.warning("%s", why);
        return reject(451, "4.3.5", reportName(state, stage), stage, "Server configuration error");
    }

    private static Verdict.Reject reject(int code, String dsn, String what, Stage stage, String reason) {
        return new Verdict.Reject(code, dsn, what + ": " + stage.reportClass + " rejected: " + reason);
    }

    /** The {@code <...>} Postfix puts before the class: the thing the list is about. */
    private static String reportName(State state, Stage stage) {
        return switch (stage) {
            case CLIENT -> "<" + state.clientName() + "[" + state.clientAddress() + "]>";
            case HELO -> "<" + state.helo() + ">";
            case SENDER -> "<" + state.sender() + ">";
            case RELAY, RECIPIENT -> "<" + state.recipient() + ">";
            case DATA -> "<DATA>";
            case END_OF_DATA -> "<END-OF-MESSAGE>";
            case ETRN -> "<" + state.etrnDomain() + ">";
        };
    }

    // ---- syntax checks ----

    /** Valid for reject_invalid_helo_hostname: a host name, an address, or an address literal. */
    static boolean validHelo(String helo) {
        String h = stripDot(helo);
        if (h.startsWith("[") && h.endsWith("]")) return addressLiteral(h) != null;
        return Hostnames.validHostname(h) || Hostnames.parseAddress(h, false) != null
                || Hostnames.parseAddress(h, true) != null;
    }

    /** Fully qualified for reject_non_fqdn_helo_hostname: an address literal, or a host name with a dot. */
    static boolean fqdnHelo(String helo) {
        String h = stripDot(helo);
        if (h.startsWith("[") && h.endsWith("]")) return addressLiteral(h) != null;
        return Hostnames.validHostname(h) && h.indexOf('.') > 0 && Hostnames.parseAddress(h, false) == null;
    }

    /** An address whose domain is fully qualified (or an address literal). */
    static boolean fqdnAddress(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0) return false;
        return fqdnHelo(address.substring(at + 1));
    }

    private static String stripDot(String h) {
        return h.endsWith(".") && h.length() > 1 ? h.substring(0, h.length() - 1) : h;
    }

    private static InetAddress addressLiteral(String h) {
        String inner = h.substring(1, h.length() - 1);
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) return Hostnames.parseAddress(inner.substring(5), true);
        return Hostnames.parseAddress(inner, false);
    }

    // ---- access table keys (postfix.md §3.5) ----

    /** Host name and its parent domains, then the address and its prefixes. */
    static List<String> clientKeys(String name, String address, InetAddress inet) {
        List<String> keys = new ArrayList<>();
        if (name != null && !name.equals("unknown")) keys.addAll(domainKeys(name.toLowerCase(Locale.ROOT)));
        if (address != null) {
            keys.add(address.toLowerCase(Locale.ROOT));
            char sep = inet instanceof Inet6Address ? ':' : '.';
            String a = address;
            for (int i = a.lastIndexOf(sep); i > 0; i = a.lastIndexOf(sep)) {
                a = a.substring(0, i);
                if (!a.isEmpty() && a.charAt(a.length() - 1) != sep) keys.add(a.toLowerCase(Locale.ROOT));
            }
        }
        return keys;
    }

    /** A domain and its parents (smtpd_access_maps is in parent_domain_matches_subdomains). */
    static List<String> domainKeys(String domain) {
        List<String> keys = new ArrayList<>();
        String d = domain;
        while (!d.isEmpty()) {
            keys.add(d);
            int dot = d.indexOf('.');
            if (dot < 0) break;
            d = d.substring(dot + 1);
        }
        return keys;
    }

    /** user@domain, then the domain and its parents, then user@ (access(5) EMAIL ADDRESS PATTERNS). */
    static List<String> addressKeys(String address) {
        String a = address.toLowerCase(Locale.ROOT);
        int at = a.lastIndexOf('@');
        List<String> keys = new ArrayList<>();
        keys.add(a);
        if (at >= 0) {
            keys.addAll(domainKeys(a.substring(at + 1)));
            keys.add(a.substring(0, at + 1));
        }
        return keys;
    }
}
