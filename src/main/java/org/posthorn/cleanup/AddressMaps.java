package org.posthorn.cleanup;

import java.util.ArrayList;
import java.util.List;
import org.posthorn.address.AddressExtension;
import org.posthorn.config.Config;
import org.posthorn.table.AddressLookup;
import org.posthorn.table.Maps;
import org.posthorn.table.TableException;

/**
 * One of cleanup's address maps (canonical, virtual alias, BCC): the tables searched in
 * Postfix's mail address order ({@link AddressLookup#mailAddress}) and what cleanup does
 * with the answer, as Postfix's mail_addr_map: an {@code @domain} result keeps the user
 * part, and an address extension that the lookup stripped is put back on the result when
 * the map's class is in propagate_unmatched_extensions.
 */
public final class AddressMaps {
    private final Maps maps;
    private final AddressExtension extension;
    private final AddressLookup.LocalDomain localDomain;
    private final boolean propagate;

    private AddressMaps(Maps maps, CleanupSettings settings, AddressLookup.LocalDomain localDomain, boolean propagate) {
        this.maps = maps;
        this.extension = new AddressExtension(settings.recipientDelimiter(), settings.ownerRequestSpecial(),
                settings.doubleBounceSender());
        this.localDomain = localDomain;
        this.propagate = propagate;
    }

    /**
     * Opens the tables of a *_maps parameter.
     *
     * @param localDomain    whether the user part alone is looked up for a domain ($myorigin, resolve_local)
     * @param extensionClass "canonical" or "virtual" (propagate_unmatched_extensions), or null
     */
    public static AddressMaps open(String parameter, List<String> specs, Config config, CleanupSettings settings,
                                   AddressLookup.LocalDomain localDomain, String extensionClass) throws TableException {
        return new AddressMaps(Maps.open(parameter, specs, config), settings, localDomain,
                extensionClass != null && settings.propagateUnmatchedExtensions().contains(extensionClass));
    }

    /** For tests: maps over tables already open. */
    static AddressMaps of(Maps maps, CleanupSettings settings, AddressLookup.LocalDomain localDomain, boolean propagate) {
        return new AddressMaps(maps, settings, localDomain, propagate);
    }

    public String parameter() {
        return maps.title();
    }

    public boolean isEmpty() {
        return maps.isEmpty();
    }

    /** The table value for an address, or null when no key matches. */
    public String find(String address) throws TableException {
        if (maps.isEmpty()) return null;
        AddressLookup.MailMatch m = AddressLookup.mailAddress(maps, address, extension, localDomain);
        if (m == null) return null;
        String value = m.match().value();
        if (value.startsWith("@")) {
            // an @domain result keeps the user part (without an extension the lookup took off)
            int at = address.lastIndexOf('@');
            String local = at < 0 ? address : address.substring(0, at);
            if (m.extension() != null) local = local.substring(0, local.length() - m.extension().length());
            return withExtension(local + value, m.extension());
        }
        return withExtension(value, m.extension());
    }

    /** Puts an unmatched extension back on each address of a result (propagate_unmatched_extensions). */
    private String withExtension(String result, String extension) {
        if (!propagate || extension == null) return result;
        StringBuilder out = new StringBuilder();
        for (String part : result.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            if (!out.isEmpty()) out.append(", ");
            int at = p.lastIndexOf('@');
            out.append(at < 0 ? p + extension : p.substring(0, at) + extension + p.substring(at));
        }
        return out.toString();
    }

    /** Splits a virtual(5) result into addresses: commas and white space separate, as Postfix's alias lists. */
    static List<String> addressList(String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split("[,\\s]+")) if (!s.isEmpty()) out.add(s);
        return out;
    }
}
