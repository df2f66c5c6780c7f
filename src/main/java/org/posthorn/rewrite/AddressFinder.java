package org.posthorn.rewrite;

import org.posthorn.address.AddressExtension;
import org.posthorn.table.AddressLookup;
import org.posthorn.table.Maps;
import org.posthorn.table.TableException;

/**
 * Postfix's default search order for an address in *_maps tables (mail_addr_find, see
 * {@link AddressLookup#mailAddress}) with trivial-rewrite's idea of a local domain:
 * $myorigin, or local as {@link LocalDestinations} says. Used here for
 * sender_dependent_relayhost_maps, sender_dependent_default_transport_maps and relocated_maps.
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
        AddressLookup.MailMatch m = AddressLookup.mailAddress(maps, address, extension,
                domain -> domain.equalsIgnoreCase(myorigin) || local.isLocal(domain));
        return m == null ? null : m.match().value();
    }
}
