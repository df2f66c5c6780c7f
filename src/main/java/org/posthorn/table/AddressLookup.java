package org.posthorn.table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.posthorn.address.AddressExtension;
import org.posthorn.address.Quote;
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
 *     when the domain is local), @domain. Each address key is asked in external (quoted)
 *     form first and, when that differs, in internal form, as Postfix's mail_addr_find.</li>
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
     * none, as Postfix splits it ({@link AddressExtension}, with owner_request_special on and
     * the default double_bounce_sender).
     */
    public static String stripExtension(String local, String delimiters) {
        if (delimiters == null) return null;
        int split = defaultExtension(delimiters).splitPoint(local);
        return split < 0 ? null : local.substring(0, split);
    }

    private static AddressExtension defaultExtension(String delimiters) {
        return new AddressExtension(delimiters == null ? "" : delimiters, true, "double-bounce");
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

    /** Whether a domain is local ($myorigin, $mydestination, ...); may consult a table and fail. */
    @FunctionalInterface
    public interface LocalDomain {
        boolean test(String domain) throws TableException;
    }

    /**
     * A {@link #mailAddress} match and the address extension that was taken off to find it
     * (user+ext@domain found as user@domain or user): null when the key kept it, and for
     * {@code @domain} matches, as Postfix's mail_addr_find. Callers that propagate unmatched
     * extensions (propagate_unmatched_extensions) put it back on the result.
     */
    public record MailMatch(Maps.Match match, String extension) {
    }

    /** virtual(5) / canonical(5) order; {@code localDomain} says whether a domain is $myorigin, $mydestination... */
    public static Maps.Match mailAddress(Maps maps, String address, String delimiters, Predicate<String> localDomain)
            throws TableException {
        MailMatch m = mailAddress(maps, address, defaultExtension(delimiters), localDomain::test);
        return m == null ? null : m.match();
    }

    /**
     * virtual(5) / canonical(5) order for an internal-form address: the keys of
     * {@link #mailAddressKeys}, each in external form first.
     */
    public static MailMatch mailAddress(Maps maps, String address, AddressExtension extension,
                                        LocalDomain localDomain) throws TableException {
        Parts p = Parts.of(address);
        int split = extension.splitPoint(p.local);
        String bare = split < 0 ? null : p.local.substring(0, split);
        String ext = split < 0 ? null : p.local.substring(split);
        Maps.Match m = quotedFirst(maps, address, false, true);
        if (m != null) return new MailMatch(m, null);
        if (bare != null && (m = quotedFirst(maps, p.domain == null ? bare : bare + "@" + p.domain, true, true)) != null) {
            return new MailMatch(m, ext);
        }
        if (p.domain == null) return null;
        if (localDomain.test(p.domain)) {
            if ((m = quotedFirst(maps, p.local, true, false)) != null) return new MailMatch(m, null);
            if (bare != null && (m = quotedFirst(maps, bare, true, false)) != null) return new MailMatch(m, ext);
        }
        m = maps.find("@" + p.domain, true);
        return m == null ? null : new MailMatch(m, null);
    }

    /** One address key in external (quoted) form, then as given when that differs. */
    private static Maps.Match quotedFirst(Maps maps, String key, boolean partial, boolean withDomain)
            throws TableException {
        String quoted = withDomain ? Quote.quoteLocal(key) : Quote.quoteBareLocalPart(key);
        Maps.Match m = maps.find(quoted, partial);
        if (m == null && !quoted.equals(key)) m = maps.find(key, partial);
        return m;
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

    /** transport(5) order; the "*" wildcard is a full lookup, as Postfix's transport_maps asks it. */
    public static Maps.Match transport(Maps maps, String address, String delimiters, boolean parentStyle)
            throws TableException {
        List<String> keys = transportKeys(address, delimiters, parentStyle);
        Maps.Match m = search(maps, keys.subList(0, keys.size() - 1));
        return m != null ? m : maps.find("*", false);
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
