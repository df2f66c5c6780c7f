package org.posthorn.table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A hash:, btree:, cdb: or lmdb: table read from the file postmap built. Long-running daemons
 * keep the table open; every lookup checks the file's identity (inode), size and modification
 * time and maps the new file when postmap has replaced it, as Postfix daemons notice a rebuilt
 * table (Postfix restarts the daemon; we reopen the table).
 */
final class IndexedTable extends FoldedTable {
    private final DbType type;
    private final Path file;
    private final String fileName;
    private final ReentrantLock lock = new ReentrantLock();
    /** The mapped file and the identity it had when mapped; replaced as a whole, read without the lock. */
    private record Mapped(IndexedFile file, Object fileKey, FileTime modified, long size) {
        boolean sameAs(BasicFileAttributes a) {
            return Objects.equals(a.fileKey(), fileKey) && a.lastModifiedTime().equals(modified) && a.size() == size;
        }
    }

    private volatile Mapped current;

    IndexedTable(String name, KeyFold fold, DbType type, String fileName) throws TableException {
        super(name, fold);
        this.type = type;
        this.file = type.file(fileName);
        this.fileName = fileName;
        lock.lock();
        try {
            reopenIfChanged();
        } finally {
            lock.unlock();
        }
    }

    @Override
    String get(String key) throws TableException {
        IndexedFile f = fresh();
        try {
            return f.get(key);
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new TableException("table " + name() + ": read error: " + e.getMessage(), e);
        }
    }

    @Override
    public List<Map.Entry<String, String>> entries() throws TableException {
        if (!type.listable()) return null;
        try {
            return fresh().entries();
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new TableException("table " + name() + ": read error: " + e.getMessage(), e);
        }
    }

    /**
     * Stores an entry (proxywrite: address_verify_map, postscreen_cache_map, ...). The file is
     * rewritten as a whole, under the lock postmap -i takes, as one atomic replacement: fine for
     * the small caches Postfix keeps this way, costly for big tables.
     */
    @Override
    public void update(String key, String value) throws TableException {
        lock.lock();
        try (TableWriter w = TableWriter.update(type, fileName, TableWriter.Duplicates.REPLACE, TableFactory::warn, false)) {
            w.put(fold.apply(key), value);
            w.commit(TableWriter.defaultMode());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean delete(String key) throws TableException {
        lock.lock();
        try (TableWriter w = TableWriter.update(type, fileName, TableWriter.Duplicates.REPLACE, TableFactory::warn, false)) {
            boolean found = w.delete(fold.apply(key));
            if (found) w.commit(TableWriter.defaultMode());
            return found;
        } finally {
            lock.unlock();
        }
    }

    /** The current file: a stat per lookup, and the lock only when the file must be mapped again. */
    private IndexedFile fresh() throws TableException {
        Mapped m = current;
        try {
            if (m != null && m.sameAs(Files.readAttributes(file, BasicFileAttributes.class))) return m.file;
        } catch (IOException e) {
            // removed or unreadable while open: keep answering from the mapped file
            if (m != null) return m.file;
        }
        lock.lock();
        try {
            reopenIfChanged();
            return current.file;
        } finally {
            lock.unlock();
        }
    }

    /** Maps the file again when it is a different file or was modified; the caller holds the lock. */
    private void reopenIfChanged() throws TableException {
        Mapped m = current;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (m != null && m.sameAs(a)) return;
            current = new Mapped(IndexedFile.open(file), a.fileKey(), a.lastModifiedTime(), a.size());
        } catch (NoSuchFileException e) {
            if (m != null) return;
            throw new TableException("open database " + file + ": No such file or directory", e);
        } catch (IOException e) {
            if (m != null) return;
            throw new TableException("open database " + file + ": " + e.getMessage(), e);
        }
    }
}
