package org.posthorn.proxymap;

import org.posthorn.table.ProxyClient;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;

/**
 * The proxymap(8) seam (DESIGN.md §3a): one open instance of each approved table, shared by
 * every session of every service in the master. {@link #open} gives a handle on the shared
 * instance: for reading when the table is listed in proxy_read_maps (the proxymap service),
 * for reading and writing when listed in proxy_write_maps (the proxywrite service), where
 * address verification and postscreen keep their caches.
 */
public interface Proxymap extends ProxyClient {
    /**
     * A handle on the shared table "type:name"; closing the handle leaves the table open.
     * Never null: a table that is not approved, or a side (proxymap, proxywrite) that does not
     * run, is a TableException.
     */
    @Override
    Table open(String table, boolean foldKeys, boolean write) throws TableException;
}
