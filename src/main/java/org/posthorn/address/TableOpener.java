package org.posthorn.address;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.posthorn.config.Config;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;
import org.posthorn.table.TableFactory;

/**
 * Opens "type:name" tables for lists and maps parameters. The same table named twice is
 * opened once, as Postfix's dictionary registry shares handles.
 */
@FunctionalInterface
public interface TableOpener {
    Table open(String spec) throws TableException;

    /** Tables through {@link TableFactory}, shared per spec, fixed-string keys folded to lower case (*_maps). */
    static TableOpener of(Config config) {
        return of(config, true);
    }

    /**
     * Tables through {@link TableFactory}, shared per spec; {@code foldKeys} false for the
     * tables of a {@link MatchList}, whose keys Postfix keeps as written (the list folds the query).
     */
    static TableOpener of(Config config, boolean foldKeys) {
        return caching(spec -> TableFactory.open(spec, config, foldKeys));
    }

    /** Wraps an opener so that each spec is opened once. */
    static TableOpener caching(TableOpener opener) {
        Map<String, Table> cache = new HashMap<>();
        ReentrantLock lock = new ReentrantLock();
        return spec -> {
            lock.lock();
            try {
                Table t = cache.get(spec);
                if (t == null) {
                    t = opener.open(spec);
                    cache.put(spec, t);
                }
                return t;
            } finally {
                lock.unlock();
            }
        };
    }
}
