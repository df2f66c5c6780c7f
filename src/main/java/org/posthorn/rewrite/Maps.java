package org.posthorn.rewrite;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.posthorn.address.ListSplitter;
import org.posthorn.address.TableOpener;
import org.posthorn.log.Log;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;

/**
 * A *_maps parameter: tables searched in order, the first answer wins (Postfix's maps).
 * Keys are folded to lower case for fixed-key tables; partial keys (stripped addresses,
 * domains) skip pattern tables such as regexp, which only see full keys.
 */
final class Maps {
    private final String parameter;
    private final List<Table> tables;
    private final Log log;

    private Maps(String parameter, List<Table> tables, Log log) {
        this.parameter = parameter;
        this.tables = tables;
        this.log = log;
    }

    /** The tables of a parameter value, or null when the value is empty. */
    static Maps open(String parameter, String value, TableOpener opener, Log log) throws TableException {
        List<Table> tables = new ArrayList<>();
        for (String spec : ListSplitter.split(value)) tables.add(opener.open(spec));
        return tables.isEmpty() ? null : new Maps(parameter, tables, log);
    }

    String parameter() {
        return parameter;
    }

    /**
     * The first table's value for the key, or null; throws when a table cannot answer now.
     * An empty value is a configuration error, as in Postfix (tables must return no result
     * instead).
     */
    String find(String key, boolean partial) throws TableException {
        for (Table t : tables) {
            if (partial && !t.fixedKeys()) continue;
            String k = t.fixedKeys() ? key.toLowerCase(Locale.ROOT) : key;
            String v = t.lookup(k);
            if (v != null && v.isEmpty()) {
                log.warning("%s lookup of %s returns an empty string result", parameter, k);
                log.warning("%s should return NO RESULT in case of NOT FOUND", parameter);
                throw new TableException(parameter + " lookup failure");
            }
            if (v != null) return v;
        }
        return null;
    }
}
