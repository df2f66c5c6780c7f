package org.posthorn.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The order in which Postfix's hash table (util/htable) lists its keys: buckets in index
 * order, the newest key first within a bucket, with the table growing to twice its size
 * (made odd) when full. postconf -e appends new names to main.cf in this order, so
 * Posthorn follows it to write the same file.
 */
final class PostfixHashOrder {
    private PostfixHashOrder() {
    }

    static List<String> of(Collection<String> keys) {
        int size = odd(Math.max(13, keys.size()));
        List<List<String>> buckets = buckets(size);
        int used = 0;
        for (String key : keys) {
            if (used >= size) {
                List<List<String>> old = buckets;
                size = odd(2 * size);
                buckets = buckets(size);
                for (List<String> chain : old) {
                    // relinking walks each old chain from its head, prepending again
                    for (String k : chain) buckets.get(hash(k, size)).addFirst(k);
                }
            }
            buckets.get(hash(key, size)).addFirst(key);
            used++;
        }
        List<String> out = new ArrayList<>(keys.size());
        for (List<String> chain : buckets) out.addAll(chain);
        return out;
    }

    private static int odd(int n) {
        return n | 1;
    }

    private static List<List<String>> buckets(int size) {
        List<List<String>> b = new ArrayList<>(size);
        for (int i = 0; i < size; i++) b.add(new ArrayList<>());
        return b;
    }

    /** The classic ELF-style string hash Postfix uses, modulo the table size. */
    static int hash(String key, int size) {
        long h = 0;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h << 4) + (b & 0xff);
            long g = h & 0xf0000000L;
            if (g != 0) {
                h ^= g >>> 24;
                h ^= g;
            }
        }
        return (int) Long.remainderUnsigned(h, size);
    }
}
