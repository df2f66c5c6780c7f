package org.posthorn.rewrite;

import org.posthorn.address.AddressExtension;
import org.posthorn.table.Maps;
import org.posthorn.table.TableException;

/**
 * transport_maps as transport(5) describes it: the full recipient, the recipient without
 * its extension, the domain, its parent domains (".parent", or "parent" when transport_maps
 * is in parent_domain_matches_subdomains), then "*". A value "transport:nexthop" replaces
 * both; an empty transport keeps the class transport; an empty nexthop means the
 * recipient domain (or a generic text for the error transport).
 *
 * <p>Implemented here rather than with the shared address-lookup helper because transport
 * lookups have their own order (domains and "*", no local-part-only keys).
 */
final class TransportTable {
    private static final String WILDCARD = "*";
    private static final String ERROR = "error";

    private final Maps maps;
    private final boolean parentStyle;
    private final AddressExtension extension;

    TransportTable(Maps maps, boolean parentStyle, AddressExtension extension) {
        this.maps = maps;
        this.parentStyle = parentStyle;
        this.extension = extension;
    }

    /** The transport and nexthop a resolver works with. */
    static final class Route {
        String transport;
        String nexthop;

        Route(String transport, String nexthop) {
            this.transport = transport;
            this.nexthop = nexthop;
        }
    }

    /** Applies the first matching entry to the route; false when nothing matched. */
    boolean lookup(String address, String rcptDomain, Route route) throws TableException {
        if (address.isEmpty()) return false;
        int at = address.lastIndexOf('@');
        if (at < 0 || at == address.length() - 1) return false;
        if (apply(find(address, false), rcptDomain, route)) return true;
        String stripped = extension.strip(address);
        if (stripped != null && apply(find(stripped, true), rcptDomain, route)) return true;
        String name = address.substring(at + 1);
        while (!name.isEmpty()) {
            if (apply(find(name, true), rcptDomain, route)) return true;
            int dot = name.indexOf('.', 1);
            if (dot < 0) break;
            name = parentStyle ? name.substring(dot + 1) : name.substring(dot);
        }
        return apply(find(WILDCARD, false), rcptDomain, route);
    }

    private String find(String key, boolean partial) throws TableException {
        Maps.Match m = maps.find(key, partial);
        return m == null ? null : m.value();
    }

    private static boolean apply(String value, String rcptDomain, Route route) {
        if (value == null) return false;
        int colon = value.indexOf(':');
        String transport = colon < 0 ? value : value.substring(0, colon);
        String nexthop = colon < 0 ? "" : value.substring(colon + 1);
        if (transport.isEmpty()) {
            if (!nexthop.isEmpty()) route.nexthop = nexthop;
        } else {
            route.transport = transport;
            if (!nexthop.isEmpty()) route.nexthop = nexthop;
            else route.nexthop = transport.equals(ERROR) ? "Address is undeliverable" : rcptDomain;
        }
        return true;
    }
}
