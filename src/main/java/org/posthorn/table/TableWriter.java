package org.posthorn.table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Creates or updates the indexed file of a hash/btree/cdb/lmdb table, as postmap(1) and
 * postalias(1) do: entries are collected in memory (from the source file, or the existing
 * file plus stdin for -i and -d) and written in one atomic replacement.
 */
public final class TableWriter {
    /** What to do with a key that is already present: postmap's default, -r, -w. */
    public enum Duplicates { WARN, REPLACE, IGNORE }

    private final DbType type;
    private final String name;
    private final Path file;
    private final Duplicates duplicates;
    private final Consumer<String> warn;
    private final Map<String, String> entries = new LinkedHashMap<>();
    private final boolean existed;

    private TableWriter(DbType type, String name, Duplicates duplicates, Consumer<String> warn, boolean existed) {
        this.type = type;
        this.name = name;
        this.file = type.file(name);
        this.duplicates = duplicates;
        this.warn = warn;
        this.existed = existed;
    }

    /** A writer for a new table that replaces whatever file is there. */
    public static TableWriter create(DbType type, String name, Duplicates duplicates, Consumer<String> warn) {
        return new TableWriter(type, name, duplicates, warn, Files.exists(type.file(name)));
    }

    /**
     * A writer that starts from the existing file (postmap -i, -d). A missing file is created
     * for -i ({@code mustExist} false) and an error for -d. cdb files cannot be updated.
     */
    public static TableWriter update(DbType type, String name, Duplicates duplicates, Consumer<String> warn,
                                     boolean mustExist) throws TableException {
        if (!type.updatable()) {
            throw new TableException("dict_cdb_open: inappropriate open flags for cdb database"
                    + " - specify O_RDONLY or O_WRONLY|O_CREAT|O_TRUNC");
        }
        TableWriter w = new TableWriter(type, name, duplicates, warn, Files.exists(type.file(name)));
        if (!w.existed) {
            if (mustExist && type == DbType.LMDB) {
                // Postfix's lmdb opens with O_CREAT even to delete: an empty table appears
                w.commit(defaultMode());
            } else if (mustExist) {
                throw new TableException("open database " + w.file + ": No such file or directory");
            }
            return w;
        }
        try {
            for (Map.Entry<String, String> e : IndexedFile.open(w.file).entries()) w.entries.put(e.getKey(), e.getValue());
        } catch (NoSuchFileException e) {
            throw new TableException("open database " + w.file + ": No such file or directory", e);
        } catch (IOException e) {
            throw new TableException("open database " + w.file + ": " + e.getMessage(), e);
        }
        return w;
    }

    /** Adds an entry; a duplicate is warned about and skipped, replaced (-r) or skipped silently (-w). */
    public void put(String key, String value) {
        if (!entries.containsKey(key) || duplicates == Duplicates.REPLACE) {
            entries.put(key, value);
        } else if (duplicates == Duplicates.WARN) {
            warn.accept(type.messageName(name) + ": duplicate entry: \"" + key + "\"");
        }
    }

    /** Adds an entry whatever is there (postalias's "@" and YP_ signatures). */
    public void replace(String key, String value) {
        entries.put(key, value);
    }

    /** Removes a key; whether it was there. */
    public boolean delete(String key) {
        return entries.remove(key) != null;
    }

    public DbType type() {
        return type;
    }

    /**
     * Writes the file. A new file takes {@code newMode} (the source file's permissions, or 0644
     * for postmap -p); a file that existed keeps its permissions.
     */
    public void commit(Set<PosixFilePermission> newMode) throws TableException {
        try {
            Set<PosixFilePermission> mode = newMode;
            if (existed) {
                try {
                    mode = Files.getPosixFilePermissions(file);
                } catch (NoSuchFileException e) {
                    // removed meanwhile: use the new-file mode
                }
            }
            IndexedFile.write(file, new ArrayList<>(entries.entrySet()), mode);
        } catch (IOException e) {
            throw new TableException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Postfix's mode for a table without a source to copy from (postmap -p, postmap -i of a new table). */
    public static Set<PosixFilePermission> defaultMode() {
        return PosixFilePermissions.fromString("rw-r--r--");
    }

    /** All entries now held, in order. */
    public List<Map.Entry<String, String>> entries() {
        return new ArrayList<>(entries.entrySet());
    }
}
