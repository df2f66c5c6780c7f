package org.posthorn.table;

import java.util.Locale;

/** A fixed-string table that folds lookup keys to lower case unless opened without folding (postmap -f). */
abstract class FoldedTable implements Table {
    private final String name;
    final boolean fold;

    FoldedTable(String name, boolean fold) {
        this.name = name;
        this.fold = fold;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String lookup(String key) throws TableException {
        return get(fold ? lower(key) : key);
    }

    /** The value for an already folded key. */
    abstract String get(String key) throws TableException;

    /** Postfix's key case folding: ASCII fast path, Unicode lower case otherwise (UTF-8 keys). */
    public static String lower(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c >= 'A' && c <= 'Z' || c >= 0x80) return key.toLowerCase(Locale.ROOT);
        }
        return key;
    }
}
