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
import org.posthorn.table.Table;
import org.posthorn.table.TableException;
import org.posthorn.table.TableFactory;

/**
 * smtpd's access restrictions (Postfix smtpd_check): the lists of
 * smtpd_{client,helo,sender,relay,recipient,data,end_of_data}_restrictions evaluated in
 * order against the session state, with Postfix's reply texts and its pending
 * defer_if_permit / defer_if_reject / warn_if_reject state.
 *
 * <p>Implemented: permit, reject, defer, defer_if_permit, defer_if_reject, warn_if_reject,
 * permit_mynetworks, reject_unauth_pipelining, reject_invalid_helo_hostname,
 * reject_non_fqdn_helo_hostname, reject_non_fqdn_sender, reject_non_fqdn_recipient and
 * check_{client,helo,sender,recipient}_access with access(5) results. Any other name is a
 * configuration error that defers (451 4.3.5), as Postfix does for what it cannot evaluate;
 * reject_unauth_destination and the rest that need trivial-rewrite, DNS or SASL come later.
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
        END_OF_DATA("smtpd_end_of_data_restrictions", "End-of-data");

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
    }

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
            "smtpd_end_of_data_restrictions", "");

    private final Map<Stage, List<String>> lists = new HashMap<>();
    private final Config config;
    private final NetworkList mynetworks;
    private final String nullAccessKey;
    private final TableOpener tables;
    private final org.posthorn.log.Log log;
    private final Map<String, Table> opened = new HashMap<>();

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
        for (Stage stage : stages) {
            Verdict v = evaluate(state, stage, lists.get(stage));
            if (v instanceof Verdict.Reject r) return r;
        }
        return deferIfPermit;
    }

    private Verdict evaluate(State state, Stage stage, List<String> list) {
        for (int i = 0; i < list.size(); i++) {
            String name = list.get(i).toLowerCase(Locale.ROOT);
            boolean warn = warnIfReject;
            warnIfReject = false;
            Verdict v;
            if (name.startsWith("check_") && name.endsWith("_access")) {
                if (i + 1 >= list.size()) {
                    v = configError(state, stage, "missing table name after " + name);
                } else {
                    v = access(state, stage, name, list.get(++i));
                }
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
            // no SASL yet: nobody is authenticated
            case "permit_sasl_authenticated" -> Verdict.DUNNO;
            case "permit_mynetworks" -> mynetworks.matches(state.clientInetAddress()) ? Verdict.PERMIT : Verdict.DUNNO;
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
            default -> configError(state, stage, "unsupported restriction \"" + name + "\"");
        };
    }

    /** check_{client,helo,sender,recipient}_access type:name with access(5) results. */
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
            case "check_recipient_access" -> {
                if (state.recipient() == null) return Verdict.DUNNO;
                keys = addressKeys(state.recipient());
                what = "<" + state.recipient() + ">";
                reportStage = Stage.RECIPIENT;
            }
            default -> {
                return configError(state, stage, "unsupported restriction \"" + name + "\"");
            }
        }
        Table table;
        try {
            table = opened.get(spec);
            if (table == null) {
                table = tables.open(spec);
                opened.put(spec, table);
            }
        } catch (TableException e) {
            return configError(state, stage, spec + " is unavailable: " + e.getMessage());
        }
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
                actions.add(new Action(word, text));
                warningLog.accept(word.toLowerCase(Locale.ROOT) + ":" + what + ": " + reportStage.reportClass
                        + " triggers " + word + " action");
                return Verdict.DUNNO;
            }
            case "WARN", "INFO" -> {
                warningLog.accept(word.toLowerCase(Locale.ROOT) + ":" + what + ": " + text);
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
                // a restriction name as the value (e.g. permit_mynetworks)
                return single(state, stage, v.toLowerCase(Locale.ROOT));
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
