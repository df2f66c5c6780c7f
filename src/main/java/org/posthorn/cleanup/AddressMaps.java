package org.posthorn.cleanup;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.posthorn.config.Config;
import org.posthorn.table.RegexpTable;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;
import org.posthorn.table.TableFactory;

/**
 * A list of tables searched with Postfix's address lookup order (mail_addr_find):
 * {@code user+ext@domain}, {@code user@domain}, then {@code user+ext} and {@code user} when the
 * domain is local, then {@code @domain}; each key against every table before the next key.
 * Pattern tables (regexp, pcre) see only the full address. An unmatched address extension
 * is put back on the result when the map's class is in propagate_unmatched_extensions.
 */
public final class AddressMaps {
    private final String parameter;
    private final List<Table> tables;
    private final String delimiter;
    private final Set<String> localDomains;
    private final boolean propagate;

    private AddressMaps(String parameter, List<Table> tables, String delimiter, Set<String> localDomains, boolean propagate) {
        this.parameter = parameter;
        this.tables = tables;
        this.delimiter = delimiter;
        this.localDomains = localDomains;
        this.propagate = propagate;
    }

    /**
     * Opens the tables of a *_maps parameter.
     *
     * @param extensionClass "canonical" or "virtual" (propagate_unmatched_extensions), or null
     */
    public static AddressMaps open(String parameter, List<String> specs, Config config, CleanupSettings settings,
                                   String extensionClass, TableOpener opener) throws TableException {
        List<Table> tables = new ArrayList<>();
        for (String spec : specs) tables.add(opener.open(spec, config));
        Set<String> local = new java.util.HashSet<>(settings.myDestination());
        local.add(settings.myorigin().toLowerCase(Locale.ROOT));
        return new AddressMaps(parameter, tables, settings.recipientDelimiter(), local,
                extensionClass != null && settings.propagateUnmatchedExtensions().contains(extensionClass));
    }

    /** For tests: maps over tables already open. */
    static AddressMaps of(String parameter, List<Table> tables, CleanupSettings settings, boolean propagate) {
        Set<String> local = new java.util.HashSet<>(settings.myDestination());
        local.add(settings.myorigin().toLowerCase(Locale.ROOT));
        return new AddressMaps(parameter, tables, settings.recipientDelimiter(), local, propagate);
    }

    /** Opens one {@code type:name}; regexp and pcre directly, everything else through the shared factory. */
    static Table openTable(String spec, Config config) throws TableException {
        int colon = spec.indexOf(':');
        if (colon < 0) throw new TableException("need dictionary_type:dictionary_name format instead of \"" + spec + "\"");
        String type = spec.substring(0, colon);
        if (type.equals("regexp") || type.equals("pcre")) return RegexpTable.open(type, spec.substring(colon + 1), config);
        return TableFactory.open(spec, config);
    }

    public String parameter() {
        return parameter;
    }

    public boolean isEmpty() {
        return tables.isEmpty();
    }

    /** The table value for an address, or null when no key matches. */
    public String find(String address) throws TableException {
        if (tables.isEmpty()) return null;
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        String domain = at < 0 ? "" : address.substring(at + 1);
        String lowerDomain = domain.toLowerCase(Locale.ROOT);
        String bareLocal = local;
        String extension = null;
        if (!delimiter.isEmpty() && !local.isEmpty()) {
            for (int i = 0; i < local.length(); i++) {
                if (delimiter.indexOf(local.charAt(i)) >= 0 && i > 0) {
                    bareLocal = local.substring(0, i);
                    extension = local.substring(i);
                    break;
                }
            }
        }
        // 1. the full address, in every table (pattern tables only ever see this one)
        for (Table t : tables) {
            String v = t.lookup(t.fixedKeys() ? address.toLowerCase(Locale.ROOT) : address);
            if (v != null) return v;
        }
        String found;
        if (extension != null && at >= 0 && (found = fixed((bareLocal + "@" + domain).toLowerCase(Locale.ROOT))) != null) {
            return withExtension(found, extension);
        }
        if (at < 0 || localDomains.contains(lowerDomain)) {
            if (at >= 0 && (found = fixed(local.toLowerCase(Locale.ROOT))) != null) return found;
            if (extension != null && (found = fixed(bareLocal.toLowerCase(Locale.ROOT))) != null) {
                return withExtension(found, extension);
            }
        }
        if (at >= 0 && (found = fixed("@" + lowerDomain)) != null) {
            // @domain result keeps the user part; a result without @ is a full replacement
            return found.startsWith("@") ? local + found : withExtension(found, extension);
        }
        return null;
    }

    private String fixed(String key) throws TableException {
        for (Table t : tables) {
            if (!t.fixedKeys()) continue;
            String v = t.lookup(key);
            if (v != null) return v;
        }
        return null;
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
