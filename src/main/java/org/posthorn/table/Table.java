package org.posthorn.table;

import java.util.List;
import java.util.Map;

/**
 * A lookup table opened from {@code type:name} (hash:/etc/postfix/virtual, regexp:..., cidr:...).
 * Postfix's dictionary interface: a key maps to a value or to nothing.
 */
public interface Table extends AutoCloseable {
    /** The table's name as configured, "type:name". */
    String name();

    /**
     * The value for a key, or null when the table has none. A table that cannot answer now
     * (a database down, an unreadable file) throws {@link TableException} so that callers
     * defer, as Postfix does with DICT_ERR_RETRY. Fixed-string tables fold the key to lower
     * case first unless they were opened without case folding (postmap -f).
     */
    String lookup(String key) throws TableException;

    /**
     * Whether keys are fixed strings (hash, texthash, inline, ...) rather than patterns
     * (regexp, pcre, cidr): address lookups try partial keys only in fixed-string tables.
     */
    default boolean fixedKeys() {
        return true;
    }

    /**
     * Every entry in the table's own order, for "postmap -s"; null when the type cannot list
     * its entries (cidr, static, cdb, ...), where Postfix says "sequence operation is not supported".
     */
    default List<Map.Entry<String, String>> entries() throws TableException {
        return null;
    }

    /**
     * Stores a value (proxywrite, caches such as address_verify_map): tables that cannot be
     * written say so, as Postfix's dictionaries opened read-only do.
     */
    default void update(String key, String value) throws TableException {
        throw new TableException("table " + name() + ": update operation is not supported");
    }

    /** Removes a key; whether it was there. */
    default boolean delete(String key) throws TableException {
        throw new TableException("table " + name() + ": delete operation is not supported");
    }

    @Override
    default void close() {
    }
}
