package org.posthorn.cleanup;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.posthorn.config.Config;

/**
 * The main.cf parameters cleanup(8) reads, with Postfix 3.7's defaults for those the shared
 * parameter registry does not know yet.
 */
public record CleanupSettings(
        String myhostname, String mydomain, String myorigin,
        boolean appendAtMyorigin, boolean appendDotMydomain, boolean swapBangpath, boolean allowPercentHack,
        String remoteHeaderRewriteDomain, List<String> localHeaderRewriteClients,
        boolean alwaysAddMissingHeaders, String undisclosedRecipientsHeader, String headerFromFormat,
        int headerSizeLimit, int hopcountLimit, long messageSizeLimit, int lineLengthLimit,
        Set<String> messageDropHeaders,
        List<String> canonicalMaps, List<String> senderCanonicalMaps, List<String> recipientCanonicalMaps,
        Set<String> canonicalClasses, Set<String> senderCanonicalClasses, Set<String> recipientCanonicalClasses,
        List<String> masqueradeDomains, Set<String> masqueradeExceptions, Set<String> masqueradeClasses,
        List<String> virtualAliasMaps, int virtualAliasExpansionLimit, int virtualAliasRecursionLimit,
        String alwaysBcc, List<String> senderBccMaps, List<String> recipientBccMaps,
        List<String> headerChecks, List<String> mimeHeaderChecks, List<String> nestedHeaderChecks,
        List<String> bodyChecks, int bodyChecksSizeLimit,
        boolean disableMimeInputProcessing, int mimeNestingLimit, int mimeBoundaryLengthLimit,
        int duplicateFilterLimit, String recipientDelimiter, Set<String> propagateUnmatchedExtensions,
        boolean strict7bitHeaders, boolean strict8bitmimeBody, boolean strictMimeEncodingDomain,
        boolean ownerRequestSpecial, String doubleBounceSender, long delayWarningSeconds, String verpDelimiterFilter) {

    /** Reads the settings from a configuration. */
    public static CleanupSettings from(Config c) {
        String host = text(c, "myhostname", defaultHostname());
        String domain = text(c, "mydomain", host.indexOf('.') > 0 ? host.substring(host.indexOf('.') + 1) : "localdomain");
        String origin = text(c, "myorigin", host).replace("$myhostname", host).replace("${myhostname}", host)
                .replace("$mydomain", domain).replace("${mydomain}", domain);
        String headerChecks = text(c, "header_checks", "");
        return new CleanupSettings(host, domain, origin,
                bool(c, "append_at_myorigin", true), bool(c, "append_dot_mydomain", false),
                bool(c, "swap_bangpath", true), bool(c, "allow_percent_hack", true),
                text(c, "remote_header_rewrite_domain", ""),
                list(c, "local_header_rewrite_clients", "permit_inet_interfaces"),
                bool(c, "always_add_missing_headers", false), text(c, "undisclosed_recipients_header", ""),
                headerFromFormat(c),
                integer(c, "header_size_limit", 102400), integer(c, "hopcount_limit", 50),
                Long.parseLong(text(c, "message_size_limit", "10240000")), integer(c, "line_length_limit", 2048),
                lowerSet(list(c, "message_drop_headers", "bcc, content-length, resent-bcc, return-path")),
                list(c, "canonical_maps", ""), list(c, "sender_canonical_maps", ""), list(c, "recipient_canonical_maps", ""),
                lowerSet(list(c, "canonical_classes", "envelope_sender, envelope_recipient, header_sender, header_recipient")),
                lowerSet(list(c, "sender_canonical_classes", "envelope_sender, header_sender")),
                lowerSet(list(c, "recipient_canonical_classes", "envelope_recipient, header_recipient")),
                list(c, "masquerade_domains", ""), lowerSet(list(c, "masquerade_exceptions", "")),
                lowerSet(list(c, "masquerade_classes", "envelope_sender, header_sender, header_recipient")),
                list(c, "virtual_alias_maps", text(c, "virtual_maps", "")),
                integer(c, "virtual_alias_expansion_limit", 1000), integer(c, "virtual_alias_recursion_limit", 1000),
                text(c, "always_bcc", ""), list(c, "sender_bcc_maps", ""), list(c, "recipient_bcc_maps", ""),
                split(headerChecks), split(text(c, "mime_header_checks", headerChecks)),
                split(text(c, "nested_header_checks", headerChecks)),
                list(c, "body_checks", ""), integer(c, "body_checks_size_limit", 51200),
                bool(c, "disable_mime_input_processing", false), integer(c, "mime_nesting_limit", 100),
                integer(c, "mime_boundary_length_limit", 2048), integer(c, "duplicate_filter_limit", 1000),
                text(c, "recipient_delimiter", ""),
                lowerSet(list(c, "propagate_unmatched_extensions", "canonical, virtual")),
                bool(c, "strict_7bit_headers", false) || bool(c, "strict_8bitmime", false),
                bool(c, "strict_8bitmime_body", false) || bool(c, "strict_8bitmime", false),
                bool(c, "strict_mime_encoding_domain", false),
                bool(c, "owner_request_special", true), text(c, "double_bounce_sender", "double-bounce"),
                c.getTime("delay_warning_time"), text(c, "verp_delimiter_filter", "-=+"));
    }

    /** The value, or the fallback when the parameter is unset and unknown to the registry (or a compatibility expression). */
    static String text(Config c, String name, String fallback) {
        String raw = c.raw(name);
        if (raw == null || raw.startsWith("${{")) return fallback;
        return c.get(name).strip();
    }

    /** standard or obsolete, any case; Postfix's cleanup stops on anything else. */
    private static String headerFromFormat(Config c) {
        String v = text(c, "header_from_format", "standard");
        String lower = v.toLowerCase(Locale.ROOT);
        if (!lower.equals("standard") && !lower.equals("obsolete")) {
            throw new IllegalArgumentException("invalid setting: \"header_from_format = " + v + "\"");
        }
        return lower;
    }

    private static boolean bool(Config c, String name, boolean fallback) {
        String v = text(c, name, fallback ? "yes" : "no");
        return v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("true") || v.equals("1");
    }

    private static int integer(Config c, String name, int fallback) {
        String v = text(c, name, Integer.toString(fallback));
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad numerical configuration: " + name + " = " + v);
        }
    }

    private static List<String> list(Config c, String name, String fallback) {
        return split(text(c, name, fallback));
    }

    static List<String> split(String value) {
        // brace-aware, as Postfix: "inline:{a=b, c=d}" is one table
        return Config.splitList(value);
    }

    private static Set<String> lowerSet(List<String> items) {
        Set<String> out = new TreeSet<>();
        for (String s : items) out.add(s.toLowerCase(Locale.ROOT));
        return out;
    }

    private static String defaultHostname() {
        try {
            String name = InetAddress.getLocalHost().getCanonicalHostName();
            return name.indexOf('.') > 0 ? name : name + ".localdomain";
        } catch (UnknownHostException e) {
            return "localhost.localdomain";
        }
    }
}
