package org.posthorn.table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A fixed-string table held in memory: texthash and inline tables. */
final class MemoryTable extends FoldedTable {
    private final Map<String, String> map;

    MemoryTable(String name, KeyFold fold, Map<String, String> map) {
        super(name, fold);
        this.map = new LinkedHashMap<>(map);
    }

    @Override
    String get(String key) {
        return map.get(key);
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        return new ArrayList<>(map.entrySet());
    }
}
