package org.posthorn.rewrite;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.posthorn.address.TableOpener;
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

    private Maps(String parameter, List<Table> tables) {
        this.parameter = parameter;
        this.tables = tables;
    }

    /** The tables of a parameter value, or null when the value is empty. */
    static Maps open(String parameter, String value, TableOpener opener) throws TableException {
        List<Table> tables = new ArrayList<>();
        for (String spec : value.split("[,\\s]+")) {
            if (!spec.isEmpty()) tables.add(opener.open(spec));
        }
        return tables.isEmpty() ? null : new Maps(parameter, tables);
    }

    String parameter() {
        return parameter;
    }

    /** The first table's value for the key, or null; throws when a table cannot answer now. */
    String find(String key, boolean partial) throws TableException {
        for (Table t : tables) {
            if (partial && !t.fixedKeys()) continue;
            String v = t.lookup(t.fixedKeys() ? key.toLowerCase(Locale.ROOT) : key);
            if (v != null) return v;
        }
        return null;
    }
}
