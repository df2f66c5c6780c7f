package org.posthorn.smtpd;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.posthorn.config.Config;

/**
 * The smtpd(8) parameters of one service, read once per session from the service's
 * configuration view (main.cf plus -o overrides).
 *
 * <p>Until the parameter registry knows every smtpd parameter, the defaults below stand in
 * for unset parameters; they are Postfix 3.9's (bare newline {@code normalize}, unauthorised
 * pipelining forbidden).
 */
record SmtpdSettings(
        String myhostname,
        String mailName,
        String banner,
        long messageSizeLimit,
        int lineLengthLimit,
        int recipientLimit,
        int recipientOvershootLimit,
        long timeoutSeconds,
        long errorSleepSeconds,
        int softErrorLimit,
        int hardErrorLimit,
        int junkCommandLimit,
        boolean disableVrfy,
        List<String> discardEhloKeywords,
        boolean smtputf8,
        boolean strictSmtputf8,
        BareNewline bareNewline,
        NetworkList bareNewlineExclusions,
        int bareNewlineRejectCode,
        boolean forbidUnauthPipelining,
        List<String> forbiddenCommands,
        List<String> noopCommands,
        boolean peernameLookup,
        NetworkList mynetworks,
        NetworkList xclientHosts,
        NetworkList xforwardHosts,
        boolean strictRfc821,
        boolean softBounce,
        List<String> fastFlushDomains,
        boolean heloRequired,
        boolean delayReject,
        String nullAccessLookupKey,
        String rejectFooter,
        boolean clientPortLogging) {

    /** smtpd_forbid_bare_newline: {@code no}, {@code normalize} (alias {@code yes}), {@code reject}. */
    enum BareNewline { NO, NORMALIZE, REJECT }

    /** Defaults for parameters the configuration does not know yet (Postfix 3.9 values). */
    private static final Map<String, String> FALLBACK = Map.ofEntries(
            Map.entry("mail_name", "Postfix"),
            Map.entry("smtpd_banner", "$myhostname ESMTP $mail_name"),
            Map.entry("message_size_limit", "10240000"),
            Map.entry("line_length_limit", "2048"),
            Map.entry("smtpd_recipient_limit", "1000"),
            Map.entry("smtpd_recipient_overshoot_limit", "1000"),
            Map.entry("smtpd_timeout", "300s"),
            Map.entry("smtpd_error_sleep_time", "1s"),
            Map.entry("smtpd_soft_error_limit", "10"),
            Map.entry("smtpd_hard_error_limit", "20"),
            Map.entry("smtpd_junk_command_limit", "100"),
            Map.entry("disable_vrfy_command", "no"),
            Map.entry("smtpd_discard_ehlo_keywords", ""),
            Map.entry("smtputf8_enable", "yes"),
            Map.entry("strict_smtputf8", "no"),
            Map.entry("smtpd_forbid_bare_newline", "normalize"),
            Map.entry("smtpd_forbid_bare_newline_exclusions", "$mynetworks"),
            Map.entry("smtpd_forbid_bare_newline_reject_code", "550"),
            Map.entry("smtpd_forbid_unauth_pipelining", "yes"),
            Map.entry("smtpd_forbidden_commands", "CONNECT GET POST regexp:{{/^[^A-Z]/ Bogus}}"),
            Map.entry("smtpd_noop_commands", ""),
            Map.entry("smtpd_peername_lookup", "yes"),
            Map.entry("mynetworks", "127.0.0.0/8 [::1]/128"),
            Map.entry("smtpd_authorized_xclient_hosts", ""),
            Map.entry("smtpd_authorized_xforward_hosts", ""),
            Map.entry("strict_rfc821_envelopes", "no"),
            Map.entry("soft_bounce", "no"),
            Map.entry("fast_flush_domains", "$relay_domains"),
            Map.entry("relay_domains", ""),
            Map.entry("smtpd_helo_required", "no"),
            Map.entry("smtpd_delay_reject", "yes"),
            Map.entry("smtpd_null_access_lookup_key", "<>"),
            Map.entry("smtpd_reject_footer", ""),
            Map.entry("smtpd_client_port_logging", "no"));

    static SmtpdSettings from(Config config) {
        Params p = Params.over(config);
        String bare = p.get("smtpd_forbid_bare_newline").strip().toLowerCase(Locale.ROOT);
        BareNewline mode = switch (bare) {
            case "reject" -> BareNewline.REJECT;
            // "note" (3.9) also accepts only CRLF.CRLF as the end; its extra log line is not written yet
            case "normalize", "yes", "true", "1", "note" -> BareNewline.NORMALIZE;
            default -> BareNewline.NO;
        };
        return new SmtpdSettings(
                p.myhostname(),
                p.get("mail_name"),
                p.get("smtpd_banner"),
                p.size("message_size_limit"),
                (int) p.size("line_length_limit"),
                (int) p.size("smtpd_recipient_limit"),
                (int) p.size("smtpd_recipient_overshoot_limit"),
                p.time("smtpd_timeout"),
                p.time("smtpd_error_sleep_time"),
                (int) p.size("smtpd_soft_error_limit"),
                (int) p.size("smtpd_hard_error_limit"),
                (int) p.size("smtpd_junk_command_limit"),
                p.bool("disable_vrfy_command"),
                p.list("smtpd_discard_ehlo_keywords"),
                p.bool("smtputf8_enable"),
                p.bool("strict_smtputf8"),
                mode,
                NetworkList.parse(p.get("smtpd_forbid_bare_newline_exclusions")),
                (int) p.size("smtpd_forbid_bare_newline_reject_code"),
                p.bool("smtpd_forbid_unauth_pipelining"),
                p.list("smtpd_forbidden_commands"),
                p.list("smtpd_noop_commands"),
                p.bool("smtpd_peername_lookup"),
                NetworkList.parse(p.get("mynetworks")),
                NetworkList.parse(p.get("smtpd_authorized_xclient_hosts")),
                NetworkList.parse(p.get("smtpd_authorized_xforward_hosts")),
                p.bool("strict_rfc821_envelopes"),
                p.bool("soft_bounce"),
                p.list("fast_flush_domains"),
                p.bool("smtpd_helo_required"),
                p.bool("smtpd_delay_reject"),
                p.get("smtpd_null_access_lookup_key").strip(),
                p.get("smtpd_reject_footer").strip(),
                p.bool("smtpd_client_port_logging"));
    }

    /**
     * Reads parameters from the configuration, with {@link #FALLBACK} standing in for what the
     * configuration does not know (expanded by Config like any other value).
     */
    private record Params(Config config) {
        static Params over(Config config) {
            Map<String, String> missing = new HashMap<>();
            for (Map.Entry<String, String> e : FALLBACK.entrySet()) {
                if (config.raw(e.getKey()) == null) missing.put(e.getKey(), e.getValue());
            }
            if (config.raw("myhostname") == null) missing.put("myhostname", localHostname());
            return new Params(config.withOverrides(missing));
        }

        String get(String name) {
            return config.get(name);
        }

        String myhostname() {
            return config.get("myhostname");
        }

        private static String localHostname() {
            try {
                return InetAddress.getLocalHost().getCanonicalHostName();
            } catch (Exception e) {
                return "localhost";
            }
        }

        long size(String name) {
            String v = get(name).strip();
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad numerical configuration: " + name + " = " + v);
            }
        }

        /** A time with an optional unit letter (s m h d w), in seconds. */
        long time(String name) {
            String v = get(name).strip();
            if (v.isEmpty()) throw new IllegalArgumentException("bad time value: " + name + " = " + v);
            char last = v.charAt(v.length() - 1);
            long unit = switch (Character.toLowerCase(last)) {
                case 's' -> 1;
                case 'm' -> 60;
                case 'h' -> 3600;
                case 'd' -> 86400;
                case 'w' -> 604800;
                default -> 0;
            };
            String digits = unit == 0 ? v : v.substring(0, v.length() - 1);
            try {
                return Long.parseLong(digits) * (unit == 0 ? 1 : unit);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad time value: " + name + " = " + v);
            }
        }

        boolean bool(String name) {
            String v = get(name).strip();
            return v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("true") || v.equals("1");
        }

        List<String> list(String name) {
            return splitList(get(name));
        }
    }

    /** Splits a Postfix list on commas and white space, keeping {...} groups whole. */
    static List<String> splitList(String value) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '{') depth++;
            if (c == '}') depth--;
            if (depth == 0 && (c == ',' || Character.isWhitespace(c))) {
                if (!cur.isEmpty()) out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) out.add(cur.toString());
        return out;
    }
}
