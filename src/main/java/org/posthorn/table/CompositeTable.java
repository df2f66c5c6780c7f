package org.posthorn.table;

import java.util.List;
import java.util.StringJoiner;

/**
 * unionmap:{t1, t2, ...} (every table's result, joined with commas) and pipemap:{t1, t2, ...}
 * (each table's result is the key for the next), Postfix 3.0. A failing member fails the
 * whole lookup under this table's name.
 */
final class CompositeTable implements Table {
    private final String name;
    private final List<Table> members;
    private final boolean pipe;

    CompositeTable(String name, List<Table> members, boolean pipe) {
        this.name = name;
        this.members = members;
        this.pipe = pipe;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean fixedKeys() {
        return members.stream().allMatch(Table::fixedKeys);
    }

    @Override
    public String lookup(String key) throws TableException {
        try {
            if (pipe) {
                String value = key;
                for (Table t : members) {
                    value = t.lookup(value);
                    if (value == null) return null;
                }
                return value;
            }
            StringJoiner joined = new StringJoiner(",");
            boolean found = false;
            for (Table t : members) {
                String v = t.lookup(key);
                if (v != null) {
                    joined.add(v);
                    found = true;
                }
            }
            return found ? joined.toString() : null;
        } catch (TableException e) {
            throw new TableException("table " + name + ": query error: Application error", e);
        }
    }

    @Override
    public void close() {
        members.forEach(Table::close);
    }
}
