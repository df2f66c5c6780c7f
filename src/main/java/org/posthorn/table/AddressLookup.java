package org.posthorn.table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.posthorn.config.Config;

/**
 * Postfix's lookup orders: the sequence of keys a table feature tries for an address, a
 * domain or a client, first match wins. Every key is tried in all tables of the {@link Maps}
 * before the next key; keys other than the first are "partial" and skip pattern tables
 * (regexp, pcre, cidr). Fixed-string tables fold keys to lower case themselves.
 *
 * <p>Which caller uses which order:
 * <ul>
 * <li>{@link #mailAddress}: virtual_alias_maps, canonical_maps, sender/recipient_canonical_maps,
 *     relocated_maps, virtual_mailbox_maps, smtpd's recipient validation
 *     (virtual(5), canonical(5)): user+ext@domain, user@domain, user+ext and user (only
 *     when the domain is local), @domain.</li>
 * <li>{@link #transport}: transport_maps (transport(5)): user+ext@domain, user@domain,
 *     domain, parent domains, "*".</li>
 * <li>{@link #access}: check_sender_access, check_recipient_access and other address access
 *     restrictions (access(5)): user+ext@domain, user@domain, domain, parent domains,
 *     user+ext@, user@.</li>
 * <li>{@link #domain}: check_helo_access, check_*_ns/mx_access, relay_domains style domain
 *     lists: domain, then parent domains.</li>
 * <li>{@link #client}: check_client_access, check_reverse_client_hostname_access: host name
 *     and parent domains, then the address and its networks (1.2.3.4, 1.2.3, 1.2, 1; IPv6
 *     truncated at each ':').</li>
 * </ul>
 * Parent domains are tried as ".parent" unless the feature's parameter name (e.g.
 * smtpd_access_maps, transport_maps) is listed in parent_domain_matches_subdomains, when
 * "parent" itself matches its subdomains ({@link #parentStyle}).
 */
public final class AddressLookup {
    private AddressLookup() {
    }

    /** Whether parent_domain_matches_subdomains lists the feature: "example.com" then matches its subdomains. */
    public static boolean parentStyle(Config config, String feature) {
        return config.getList("parent_domain_matches_subdomains").contains(feature);
    }

    /** An address split at its last '@' into local part and domain (domain null without '@'). */
    record Parts(String local, String domain) {
        static Parts of(String address) {
            int at = address.lastIndexOf('@');
            return at < 0 ? new Parts(address, null) : new Parts(address.substring(0, at), address.substring(at + 1));
        }
    }

    /**
     * The local part without its extension (user+foo becomes user), or null when there is
     * none: no delimiter, postmaster and mailer-daemon, and with '-' as delimiter the
     * owner-foo and foo-request names, which Postfix never splits.
     */
    public static String stripExtension(String local, String delimiters) {
        if (delimiters == null || delimiters.isEmpty()) return null;
        if (local.equalsIgnoreCase("postmaster") || local.equalsIgnoreCase("mailer-daemon")) return null;
        if (delimiters.indexOf('-') >= 0) {
            String lower = local.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("owner-") || lower.length() > 8 && lower.endsWith("-request")) return null;
        }
        for (int i = 1; i < local.length(); i++) {
            if (delimiters.indexOf(local.charAt(i)) >= 0) return local.substring(0, i);
        }
        return null;
    }

    /** The keys of {@link #mailAddress}, in order; the first is the full key, the rest partial. */
    public static List<String> mailAddressKeys(String address, String delimiters, Predicate<String> localDomain) {
        Parts p = Parts.of(address);
        String bare = stripExtension(p.local, delimiters);
        List<String> keys = new ArrayList<>();
        keys.add(address);
        if (p.domain == null) {
            if (bare != null) keys.add(bare);
            return keys;
        }
        if (bare != null) keys.add(bare + "@" + p.domain);
        if (localDomain.test(p.domain)) {
            keys.add(p.local);
            if (bare != null) keys.add(bare);
        }
        keys.add("@" + p.domain);
        return keys;
    }

    /** virtual(5) / canonical(5) order; {@code localDomain} says whether a domain is $myorigin, $mydestination... */
    public static Maps.Match mailAddress(Maps maps, String address, String delimiters, Predicate<String> localDomain)
            throws TableException {
        return search(maps, mailAddressKeys(address, delimiters, localDomain));
    }

    /** The domain and its parents: "a.b.c", then ".b.c", ".c" (or "b.c", "c" in parent style). */
    public static List<String> domainKeys(String domain, boolean parentStyle) {
        List<String> keys = new ArrayList<>();
        keys.add(domain);
        for (int dot = domain.indexOf('.', 1); dot > 0; dot = domain.indexOf('.', dot + 1)) {
            keys.add(parentStyle ? domain.substring(dot + 1) : domain.substring(dot));
            if (dot + 1 >= domain.length()) break;
        }
        return keys;
    }

    /** A domain name and its parent domains (check_helo_access, check_client_access host names, relay_domains). */
    public static Maps.Match domain(Maps maps, String domain, boolean parentStyle) throws TableException {
        return search(maps, domainKeys(domain, parentStyle));
    }

    /** The keys of {@link #transport}. */
    public static List<String> transportKeys(String address, String delimiters, boolean parentStyle) {
        Parts p = Parts.of(address);
        List<String> keys = new ArrayList<>();
        keys.add(address);
        String bare = stripExtension(p.local, delimiters);
        if (p.domain != null) {
            if (bare != null) keys.add(bare + "@" + p.domain);
            keys.addAll(domainKeys(p.domain, parentStyle));
        }
        keys.add("*");
        return keys;
    }

    /** transport(5) order. */
    public static Maps.Match transport(Maps maps, String address, String delimiters, boolean parentStyle)
            throws TableException {
        return search(maps, transportKeys(address, delimiters, parentStyle));
    }

    /** The keys of {@link #access}. */
    public static List<String> accessKeys(String address, String delimiters, boolean parentStyle) {
        Parts p = Parts.of(address);
        List<String> keys = new ArrayList<>();
        keys.add(address);
        String bare = stripExtension(p.local, delimiters);
        if (p.domain == null) {
            if (bare != null) keys.add(bare);
            return keys;
        }
        if (bare != null) keys.add(bare + "@" + p.domain);
        if (!p.domain.isEmpty()) keys.addAll(domainKeys(p.domain, parentStyle));
        keys.add(p.local + "@");
        if (bare != null) keys.add(bare + "@");
        return keys;
    }

    /** access(5) order for sender and recipient addresses. */
    public static Maps.Match access(Maps maps, String address, String delimiters, boolean parentStyle)
            throws TableException {
        return search(maps, accessKeys(address, delimiters, parentStyle));
    }

    /** An IP address and its networks: "1.2.3.4", "1.2.3", "1.2", "1"; IPv6 cut at each ':' from the right. */
    public static List<String> networkKeys(String ip) {
        char sep = ip.indexOf(':') >= 0 ? ':' : '.';
        List<String> keys = new ArrayList<>();
        String k = ip;
        while (true) {
            keys.add(k);
            int cut = k.lastIndexOf(sep);
            if (cut <= 0) break;
            k = k.substring(0, cut);
        }
        return keys;
    }

    /** The keys of {@link #client}: host name and parents (unless "unknown"), then address and networks. */
    public static List<String> clientKeys(String hostname, String ip, boolean parentStyle) {
        List<String> keys = new ArrayList<>();
        if (hostname != null && !hostname.isEmpty() && !hostname.equals("unknown")) {
            keys.addAll(domainKeys(hostname, parentStyle));
        }
        if (ip != null && !ip.isEmpty()) keys.addAll(networkKeys(ip));
        return keys;
    }

    /**
     * check_client_access order. The host name and the address are each a full lookup (pattern
     * tables see them); their parents and networks are partial.
     */
    public static Maps.Match client(Maps maps, String hostname, String ip, boolean parentStyle) throws TableException {
        boolean named = hostname != null && !hostname.isEmpty() && !hostname.equals("unknown");
        List<String> keys = clientKeys(hostname, ip, parentStyle);
        for (int i = 0; i < keys.size(); i++) {
            String k = keys.get(i);
            boolean full = i == 0 || k.equals(ip) && named;
            Maps.Match m = maps.find(k, !full);
            if (m != null) return m;
        }
        return null;
    }

    /** The keys in order, the first one full, the others partial. */
    private static Maps.Match search(Maps maps, List<String> keys) throws TableException {
        for (int i = 0; i < keys.size(); i++) {
            Maps.Match m = maps.find(keys.get(i), i > 0);
            if (m != null) return m;
        }
        return null;
    }
}
