package org.posthorn.table;

/**
 * Where proxy:type:name tables are opened when a proxymap(8) service can be reached: in the
 * master the shared in-process proxymap, in a command the master's private/proxymap socket.
 * Installed with {@link TableFactory#setProxy}; without one, proxy: tables open in process.
 */
public interface ProxyClient {
    /**
     * A handle on the shared instance of {@code table} ("type:name", no proxy: prefix), for
     * reading (proxymap, proxy_read_maps) or also for writing (proxywrite, proxy_write_maps);
     * null when no proxymap service can be reached now (the caller opens the table itself).
     * A table the service does not approve is a TableException.
     */
    Table open(String table, boolean foldKeys, boolean write) throws TableException;
}
