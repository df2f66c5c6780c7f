package org.posthorn.table;

/** A fixed-string table that folds lookup keys to lower case unless opened without folding (postmap -f). */
abstract class FoldedTable implements Table {
    private final String name;
    final KeyFold fold;

    FoldedTable(String name, KeyFold fold) {
        this.name = name;
        this.fold = fold;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String lookup(String key) throws TableException {
        return get(fold.apply(key));
    }

    /** The value for an already folded key. */
    abstract String get(String key) throws TableException;
}
