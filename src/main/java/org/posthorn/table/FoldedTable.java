package org.posthorn.table;

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

    static String lower(String key) {
        return Table.foldCase(key);
    }
}
