package org.posthorn.table;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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
public final class TableWriter implements AutoCloseable {
    /** What to do with a key that is already present: postmap's default, -r, -w. */
    public enum Duplicates { WARN, REPLACE, IGNORE }

    private final DbType type;
    private final String name;
    private final Path file;
    private final Duplicates duplicates;
    private final Consumer<String> warn;
    private final Map<String, String> entries = new LinkedHashMap<>();
    private final boolean existed;
    private FileChannel locked;

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
        if (w.existed) w.lock();
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
            IndexedFile current = w.locked != null ? IndexedFile.open(w.locked) : IndexedFile.open(w.file);
            for (Map.Entry<String, String> e : current.entries()) w.entries.put(e.getKey(), e.getValue());
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
        } finally {
            unlock();
        }
    }

    /**
     * Takes Postfix's exclusive lock on the table file so that concurrent updates follow each
     * other. The file is replaced by rename, so after waiting we check that the path still
     * names the file we locked, and lock the new one otherwise.
     */
    private void lock() throws TableException {
        try {
            for (int attempt = 0; attempt < 6000; attempt++) {
                Object before = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                try {
                    ch.lock();
                } catch (OverlappingFileLockException e) {
                    // another writer in this JVM holds it: the OS lock would not make us wait
                    ch.close();
                    Thread.sleep(10);
                    continue;
                }
                Object after = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
                if (before != null && before.equals(after)) {
                    locked = ch;
                    return;
                }
                ch.close();
            }
            throw new TableException("lock " + file + ": the file keeps being replaced");
        } catch (NoSuchFileException e) {
            // removed meanwhile: nothing to lock, the update creates it
        } catch (IOException e) {
            throw new TableException("lock " + file + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TableException("lock " + file + ": interrupted", e);
        }
    }

    /** Releases the lock without writing (nothing changed). */
    @Override
    public void close() {
        unlock();
    }

    private void unlock() {
        if (locked == null) return;
        try {
            locked.close();
        } catch (IOException e) {
            // closing releases the lock; nothing else to do
        }
        locked = null;
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
