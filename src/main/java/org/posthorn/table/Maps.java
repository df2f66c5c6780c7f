package org.posthorn.table;

import java.util.ArrayList;
import java.util.List;
import org.posthorn.config.Config;

/**
 * The tables of one *_maps parameter ("hash:/etc/postfix/virtual, regexp:/etc/postfix/v.re"),
 * searched as Postfix's maps_find() does: one key is tried in every table in order before the
 * caller tries its next key; partial keys (user@, @domain, parent domains) skip pattern tables.
 */
public final class Maps {
    /** A found value, the key that found it and the table that held it. */
    public record Match(String key, String value, Table table) {
    }

    private final String title;
    private final List<Table> tables;

    public Maps(String title, List<Table> tables) {
        this.title = title;
        this.tables = List.copyOf(tables);
    }

    /** The tables named in a parameter value (split on commas and white space, braces group), opened shared. */
    public static Maps open(String title, String specs, Config config) throws TableException {
        List<Table> tables = new ArrayList<>();
        for (String spec : Config.splitList(specs)) tables.add(TableFactory.open(spec, config));
        return new Maps(title, tables);
    }

    /** The tables of an already split list of "type:name" specs, opened shared. */
    public static Maps open(String title, List<String> specs, Config config) throws TableException {
        List<Table> tables = new ArrayList<>();
        for (String spec : specs) tables.add(TableFactory.open(spec, config));
        return new Maps(title, tables);
    }

    /** The parameter's tables: {@code Maps.of("virtual_alias_maps", config)}. */
    public static Maps of(String parameter, Config config) throws TableException {
        return open(parameter, config.get(parameter), config);
    }

    /** One table as a list, for restrictions that name a single table (check_client_access type:name). */
    public static Maps of(Table table) {
        return new Maps(table.name(), List.of(table));
    }

    public String title() {
        return title;
    }

    public List<Table> tables() {
        return tables;
    }

    public boolean isEmpty() {
        return tables.isEmpty();
    }

    /**
     * The first table's value for the key; with {@code partial} only fixed-string tables are
     * asked (a regexp table must see the whole address, never a fragment of it). An empty
     * value is a configuration error (TableException), as in Postfix.
     */
    public Match find(String key, boolean partial) throws TableException {
        for (Table t : tables) {
            if (partial && !t.fixedKeys()) continue;
            String v = t.lookup(key);
            if (v != null && v.isEmpty()) {
                // Postfix's maps_find: tables must answer "not found", never an empty value
                TableFactory.warn(title + " lookup of " + key + " returns an empty string result");
                TableFactory.warn(title + " should return NO RESULT in case of NOT FOUND");
                throw new TableException(title + " lookup failure");
            }
            if (v != null) return new Match(key, v, t);
        }
        return null;
    }
}
