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
    private final ReentrantLock lock = new ReentrantLock();
    private IndexedFile current;
    private Object fileKey;
    private FileTime modified;
    private long size;

    IndexedTable(String name, KeyFold fold, DbType type, String fileName) throws TableException {
        super(name, fold);
        this.type = type;
        this.file = type.file(fileName);
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

    private IndexedFile fresh() throws TableException {
        lock.lock();
        try {
            reopenIfChanged();
            return current;
        } finally {
            lock.unlock();
        }
    }

    /** Maps the file again when it is a different file or was modified; the caller holds the lock. */
    private void reopenIfChanged() throws TableException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (current != null && Objects.equals(a.fileKey(), fileKey) && a.lastModifiedTime().equals(modified)
                    && a.size() == size) {
                return;
            }
            current = IndexedFile.open(file);
            fileKey = a.fileKey();
            modified = a.lastModifiedTime();
            size = a.size();
        } catch (NoSuchFileException e) {
            if (current != null) return; // removed while open: keep answering from the mapped file
            throw new TableException("open database " + file + ": No such file or directory", e);
        } catch (IOException e) {
            if (current != null) return;
            throw new TableException("open database " + file + ": " + e.getMessage(), e);
        }
    }
}
