package org.posthorn.proxymap;

import java.util.List;
import java.util.Map;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;

/**
 * The master's one {@link Proxymap}: the read side installed by the proxymap row, the write
 * side by the proxywrite row. Handles look the shared table up on every call, so that a
 * reload (new approvals, a restarted service) takes effect for tables already handed out.
 */
final class SharedProxymap implements Proxymap {
    static final SharedProxymap INSTANCE = new SharedProxymap();

    private volatile ProxyTables reader;
    private volatile ProxyTables writer;

    private SharedProxymap() {
    }

    void install(ProxyTables side) {
        if (side.writer()) writer = side;
        else reader = side;
    }

    /** Removes a side if it is still this one; whether no side is left. */
    boolean withdraw(ProxyTables side) {
        if (side.writer()) {
            if (writer == side) writer = null;
        } else if (reader == side) {
            reader = null;
        }
        return reader == null && writer == null;
    }

    ProxyTables side(boolean write) throws TableException {
        ProxyTables side = write ? writer : reader;
        if (side == null) throw new TableException(serviceName(write) + " service is not running");
        return side;
    }

    static String serviceName(boolean write) {
        return write ? "proxywrite" : "proxymap";
    }

    /** The shared instance, with Postfix's client-side message for a refused table. */
    Table shared(String table, boolean foldKeys, boolean write) throws TableException {
        try {
            return side(write).find(table, foldKeys);
        } catch (ProxyTables.Denied e) {
            throw new TableException(serviceName(write) + " service is not configured for table \"" + e.getMessage() + "\"");
        }
    }

    @Override
    public Table open(String table, boolean foldKeys, boolean write) throws TableException {
        String t = ProxyTables.strip(table);
        Table first = shared(t, foldKeys, write);
        boolean fixed = first.fixedKeys();
        return new Table() {
            @Override
            public String name() {
                return "proxy:" + t;
            }

            @Override
            public boolean fixedKeys() {
                return fixed;
            }

            @Override
            public String lookup(String key) throws TableException {
                return shared(t, foldKeys, write).lookup(key);
            }

            @Override
            public void update(String key, String value) throws TableException {
                if (!write) throw new TableException("table proxy:" + t + ": update operation is not supported");
                shared(t, foldKeys, true).update(key, value);
            }

            @Override
            public boolean delete(String key) throws TableException {
                if (!write) throw new TableException("table proxy:" + t + ": delete operation is not supported");
                return shared(t, foldKeys, true).delete(key);
            }

            @Override
            public List<Map.Entry<String, String>> entries() throws TableException {
                throw new TableException("can't sequence maps via the proxy service");
            }
        };
    }
}
