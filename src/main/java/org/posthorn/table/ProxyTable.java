package org.posthorn.table;

import java.util.List;
import java.util.Map;
import org.posthorn.config.Config;

/**
 * A proxy:type:name table as its users see it: lookups (and, opened for writing, updates) go
 * to the proxymap service when one is installed, else to the table opened in this process.
 * The choice is made again while no service is installed, so that a table opened before the
 * proxymap service started still ends up shared.
 */
final class ProxyTable implements Table {
    private final String spec;
    private final String inner;
    private final Config config;
    private final KeyFold fold;
    private final boolean write;
    private volatile Table remote;
    private volatile Table local;

    ProxyTable(String spec, String inner, Config config, KeyFold fold, boolean write) throws TableException {
        this.spec = spec;
        this.inner = inner;
        this.config = config;
        this.fold = fold;
        this.write = write;
        target(); // an unapproved or broken table fails at open, as with Postfix
    }

    private Table target() throws TableException {
        Table r = remote;
        if (r != null) return r;
        ProxyClient p = TableFactory.proxy();
        if (p != null) {
            r = p.open(inner, fold != KeyFold.NONE, write);
            if (r != null) {
                remote = r;
                return r;
            }
        }
        Table l = local;
        if (l == null) {
            l = TableFactory.openUncached(inner, config, fold != KeyFold.NONE);
            local = l;
        }
        return l;
    }

    @Override
    public String name() {
        return spec;
    }

    @Override
    public boolean fixedKeys() {
        try {
            return target().fixedKeys();
        } catch (TableException e) {
            return true;
        }
    }

    @Override
    public String lookup(String key) throws TableException {
        return target().lookup(key);
    }

    @Override
    public void update(String key, String value) throws TableException {
        if (!write) throw new TableException("table " + spec + ": update operation is not supported");
        target().update(key, value);
    }

    @Override
    public boolean delete(String key) throws TableException {
        if (!write) throw new TableException("table " + spec + ": delete operation is not supported");
        return target().delete(key);
    }

    @Override
    public List<Map.Entry<String, String>> entries() throws TableException {
        throw new TableException("can't sequence maps via the proxy service");
    }

    @Override
    public void close() {
        Table l = local;
        if (l != null) l.close();
        Table r = remote;
        if (r != null) r.close();
    }
}
