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

    /** Tables through {@link TableFactory}, shared per spec. */
    static TableOpener of(Config config) {
        return caching(spec -> TableFactory.open(spec, config));
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
