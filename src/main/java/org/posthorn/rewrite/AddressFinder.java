package org.posthorn.rewrite;

import org.posthorn.address.AddressExtension;
import org.posthorn.address.Quote;
import org.posthorn.table.TableException;

/**
 * Postfix's default search order for an address in *_maps tables (mail_addr_find):
 * user+ext@domain, user@domain, then user+ext and user when the domain is $myorigin or
 * local, then @domain. Each key is tried in quoted (external) form first and, when that
 * differs, unquoted. Used here for sender_dependent_relayhost_maps,
 * sender_dependent_default_transport_maps and relocated_maps.
 */
final class AddressFinder {
    private final AddressExtension extension;
    private final String myorigin;
    private final LocalDestinations local;

    AddressFinder(AddressExtension extension, String myorigin, LocalDestinations local) {
        this.extension = extension;
        this.myorigin = myorigin;
        this.local = local;
    }

    /** The value for an internal-form address (or a bare key such as "<>"), or null. */
    String find(Maps maps, String address) throws TableException {
        String bare = extension.strip(address);
        String result = query(maps, address, false, true);
        if (result == null && bare != null) result = query(maps, bare, true, true);
        int at = address.lastIndexOf('@');
        if (at < 0) return result;
        String domain = address.substring(at + 1);
        if (result == null && (domain.equalsIgnoreCase(myorigin) || local.isLocal(domain))) {
            result = query(maps, address.substring(0, at), true, false);
            if (result == null && bare != null) result = query(maps, bare.substring(0, bare.lastIndexOf('@')), true, false);
        }
        if (result == null) result = maps.find(address.substring(at), true);
        return result;
    }

    private static String query(Maps maps, String key, boolean partial, boolean withDomain) throws TableException {
        String quoted = withDomain ? Quote.quoteLocal(key) : Quote.quoteBareLocalPart(key);
        String result = maps.find(quoted, partial);
        if (result == null && !quoted.equals(key)) result = maps.find(key, partial);
        return result;
    }
}
