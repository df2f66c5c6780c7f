package org.posthorn.smtp;

import java.util.HashMap;
import java.util.Map;
import org.posthorn.config.Config;

/**
 * The smtp(8) or lmtp(8) parameters of one service: {@code smtp_*} in SMTP mode, {@code lmtp_*}
 * in LMTP mode (with LMTP's own names and defaults, e.g. lmtp_lhlo_name, lmtp_connect_timeout=0s),
 * read from the service's configuration view with Postfix 3.7's defaults where main.cf is silent.
 */
final class SmtpParams {
    private static final Map<String, String> SHARED = Map.ofEntries(
            Map.entry("connect_timeout", "30s"), Map.entry("helo_timeout", "300s"),
            Map.entry("mail_timeout", "300s"), Map.entry("rcpt_timeout", "300s"),
            Map.entry("data_init_timeout", "120s"), Map.entry("data_xfer_timeout", "180s"),
            Map.entry("data_done_timeout", "600s"), Map.entry("quit_timeout", "300s"),
            Map.entry("rset_timeout", "20s"), Map.entry("helo_name", "$myhostname"),
            Map.entry("host_lookup", "dns"), Map.entry("line_length_limit", "998"),
            Map.entry("mx_address_limit", "5"), Map.entry("mx_session_limit", "2"),
            Map.entry("randomize_addresses", "yes"), Map.entry("skip_5xx_greeting", "yes"),
            Map.entry("skip_quit_response", "yes"), Map.entry("never_send_ehlo", "no"),
            Map.entry("discard_ehlo_keywords", ""), Map.entry("defer_if_no_mx_address_found", "no"),
            Map.entry("fallback_relay", "$fallback_relay"), Map.entry("tcp_port", "smtp"),
            Map.entry("connection_cache_on_demand", "yes"), Map.entry("connection_cache_destinations", ""),
            Map.entry("connection_cache_time_limit", "2s"), Map.entry("connection_reuse_time_limit", "300s"),
            Map.entry("connection_reuse_count_limit", "0"));
    private static final Map<String, String> LMTP = Map.of(
            "connect_timeout", "0s", "skip_quit_response", "no", "fallback_relay", "", "tcp_port", "24");
    private static final Map<String, String> GLOBAL = Map.of(
            "fallback_relay", "", "ignore_mx_lookup_error", "no", "disable_dns_lookups", "no",
            "disable_mime_output_conversion", "no", "smtputf8_enable", "yes", "inet_protocols", "all",
            "myhostname", "localhost", "queue_directory", "/var/spool/postfix");

    private final Config config;
    private final String prefix;
    private final boolean lmtp;

    SmtpParams(Config config, boolean lmtp) {
        this.lmtp = lmtp;
        this.prefix = lmtp ? "lmtp_" : "smtp_";
        Map<String, String> unset = new HashMap<>();
        for (var e : SHARED.entrySet()) {
            String name = name(e.getKey());
            String value = lmtp && LMTP.containsKey(e.getKey()) ? LMTP.get(e.getKey()) : e.getValue();
            if (config.raw(name) == null) unset.put(name, value);
        }
        for (var e : GLOBAL.entrySet()) if (config.raw(e.getKey()) == null) unset.put(e.getKey(), e.getValue());
        this.config = unset.isEmpty() ? config : config.withOverrides(unset);
    }

    boolean lmtp() {
        return lmtp;
    }

    /** The configuration view with this program's defaults filled in (for tables). */
    Config config() {
        return config;
    }

    /**
     * Checks the numeric and time parameters once, at service start, so that a typo in main.cf
     * is one clear error ("bad numerical configuration: smtp_mx_address_limit = x", as Postfix
     * words it) and not a failure in the middle of a delivery.
     */
    void validate() {
        for (String suffix : SHARED.keySet()) {
            boolean time = suffix.endsWith("_timeout") || suffix.endsWith("_time_limit");
            boolean number = suffix.endsWith("_limit") && !time;
            if (!time && !number) continue;
            try {
                if (time) config.getTime(name(suffix));
                else config.getInt(name(suffix));
            } catch (RuntimeException e) {
                String value = config.get(name(suffix));
                throw new IllegalArgumentException(time
                        ? "parameter " + name(suffix) + ": bad time value or unit: " + value
                        : "bad numerical configuration: " + name(suffix) + " = " + value, e);
            }
        }
        try {
            defaultPort();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown service: " + get("tcp_port") + "/tcp (" + name("tcp_port") + ")", e);
        }
    }

    /** The full parameter name: smtp_helo_name, or lmtp_lhlo_name in LMTP mode. */
    String name(String suffix) {
        if (lmtp && suffix.startsWith("helo_")) return prefix + "lhlo_" + suffix.substring(5);
        if (lmtp && suffix.equals("discard_ehlo_keywords")) return "lmtp_discard_lhlo_keywords";
        return prefix + suffix;
    }

    String get(String suffix) {
        return config.get(name(suffix)).strip();
    }

    boolean bool(String suffix) {
        return config.getBool(name(suffix));
    }

    int integer(String suffix) {
        return config.getInt(name(suffix));
    }

    /** A time parameter in milliseconds (0 = no limit). */
    long millis(String suffix) {
        return config.getTime(name(suffix)) * 1000;
    }

    /** A global parameter (myhostname, inet_protocols ...). */
    String global(String name) {
        return config.get(name).strip();
    }

    boolean globalBool(String name) {
        return config.getBool(name);
    }

    /** The default TCP port: smtp_tcp_port (a service name or number; "smtp" is 25), lmtp_tcp_port (24). */
    int defaultPort() {
        return port(get("tcp_port"));
    }

    static int port(String text) {
        return switch (text) {
            case "smtp" -> 25;
            case "lmtp" -> 24;
            case "submission" -> 587;
            case "smtps", "submissions" -> 465;
            default -> Integer.parseInt(text);
        };
    }
}
