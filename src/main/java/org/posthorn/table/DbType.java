package org.posthorn.table;

import java.nio.file.Path;

/**
 * The indexed table types postmap(1) and postalias(1) build. All four use Posthorn's one file
 * format ({@link IndexedFile}); they differ in the file name suffix Postfix gives them and in
 * the name Postfix uses for the table in messages.
 */
public enum DbType {
    HASH(".db"), BTREE(".db"), CDB(".cdb"), LMDB(".lmdb");

    private final String suffix;

    DbType(String suffix) {
        this.suffix = suffix;
    }

    /** The type for a "type" prefix, or null when it is not an indexed type. */
    public static DbType of(String type) {
        return switch (type) {
            case "hash" -> HASH;
            case "btree" -> BTREE;
            case "cdb" -> CDB;
            case "lmdb" -> LMDB;
            default -> null;
        };
    }

    public String type() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The indexed file for a source file name: name.db, name.cdb, name.lmdb. */
    public Path file(String name) {
        return Path.of(name + suffix);
    }

    /** How Postfix names the table in "duplicate entry" warnings: "t.db", "t", "lmdb:t". */
    public String messageName(String name) {
        return switch (this) {
            case HASH, BTREE -> name + suffix;
            case CDB -> name;
            case LMDB -> "lmdb:" + name;
        };
    }

    /** How Postfix names the open table in lookup errors: "hash:t.db", "cdb:t.cdb", but "lmdb:t". */
    public String tableName(String name) {
        return type() + ":" + (this == LMDB ? name : name + suffix);
    }

    /** Whether Postfix can update the file in place (postmap -i, -d); cdb files are rebuild-only. */
    public boolean updatable() {
        return this != CDB;
    }

    /** Whether Postfix can list the file (postmap -s); cdb cannot. */
    public boolean listable() {
        return this != CDB;
    }
}
