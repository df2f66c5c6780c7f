package org.posthorn.proxymap;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;
import org.posthorn.table.TableFactory;

/**
 * The tables of one proxymap side: the approved list (the proxy: entries of proxy_read_maps,
 * or of proxy_write_maps for proxywrite) and one open instance per table and case folding,
 * opened on first use and kept open for every later client.
 */
final class ProxyTables implements AutoCloseable {
    /** A table that is not on the approved list. */
    static final class Denied extends Exception {
        Denied(String table) {
            super(table);
        }
    }

    private final boolean writer;
    private final Set<String> approved;
    private final Config config;
    private final Log log;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Table> open = new HashMap<>();

    private ProxyTables(boolean writer, Set<String> approved, Config config, Log log) {
        this.writer = writer;
        this.approved = approved;
        this.config = config;
        this.log = log;
    }

    /** The side of the service: proxywrite approves proxy_write_maps, proxymap proxy_read_maps. */
    static ProxyTables of(boolean writer, Config config, Log log) {
        String list = config.get(writer ? "proxy_write_maps" : "proxy_read_maps");
        Set<String> approved = new LinkedHashSet<>();
        for (String entry : Config.splitList(list)) {
            // only proxy: entries are approved, with the prefix (repeated or not) removed
            if (!entry.startsWith("proxy:")) continue;
            String t = strip(entry);
            if (t.indexOf(':') > 0) approved.add(t);
        }
        return new ProxyTables(writer, approved, config, log);
    }

    static String strip(String table) {
        String t = table;
        while (t.startsWith("proxy:")) t = t.substring("proxy:".length());
        return t;
    }

    boolean writer() {
        return writer;
    }

    boolean approves(String table) {
        return approved.contains(strip(table));
    }

    /**
     * The shared instance of an approved table; a table not on the list is refused with
     * Postfix's two warnings, which tell the administrator where to list it.
     */
    Table find(String table, boolean foldKeys) throws Denied, TableException {
        String t = strip(table);
        if (!approved.contains(t)) {
            log.warning("request for unapproved table: \"%s\"", t);
            log.warning("to approve this table for %s access, list proxy:%s in main.cf:%s",
                    writer ? "read-write" : "read-only", t, writer ? "proxy_write_maps" : "proxy_read_maps");
            throw new Denied(t);
        }
        String key = t + (foldKeys ? " fold" : " keep");
        lock.lock();
        try {
            Table shared = open.get(key);
            if (shared == null) {
                shared = writer ? TableFactory.openWritable(t, config, foldKeys) : TableFactory.openUncached(t, config, foldKeys);
                open.put(key, shared);
            }
            return shared;
        } finally {
            lock.unlock();
        }
    }

    /** How many distinct table instances are open (tests: sessions share one). */
    int openCount() {
        lock.lock();
        try {
            return open.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            open.values().forEach(Table::close);
            open.clear();
        } finally {
            lock.unlock();
        }
    }
}
