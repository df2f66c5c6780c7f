package org.posthorn.rewrite;

import org.posthorn.address.InterfaceAddresses;
import org.posthorn.address.MatchList;
import org.posthorn.table.TableException;

/**
 * Whether a domain is delivered on this machine (Postfix's resolve_local): it matches
 * mydestination exactly (no subdomains), or it is an address literal [addr] of one of
 * inet_interfaces or proxy_interfaces. One trailing dot is ignored.
 */
public final class LocalDestinations {
    private final MatchList mydestination;
    private final InterfaceAddresses interfaces;

    public LocalDestinations(MatchList mydestination, InterfaceAddresses interfaces) {
        this.mydestination = mydestination;
        this.interfaces = interfaces;
    }

    public boolean isLocal(String domain) throws TableException {
        String d = domain;
        if (d.endsWith(".")) d = d.substring(0, d.length() - 1);
        if (d.isEmpty() || d.endsWith(".")) return false;
        if (mydestination.matches(d)) return true;
        return interfaces.isLocalLiteral(d);
    }
}
