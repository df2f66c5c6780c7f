package org.posthorn.table;

import org.posthorn.config.Config;

/**
 * PLACEHOLDER for regexp_table(5) and pcre_table(5): the regular-expression tables are written
 * by another part of the work, whose class replaces this one with the same static method.
 */
public final class RegexpTable {
    private RegexpTable() {
    }

    public static Table open(String type, String name, Config config) throws TableException {
        throw new TableException("table " + type + ":" + name + ": " + type + " tables are not yet available");
    }
}
