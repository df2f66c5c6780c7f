package org.posthorn.smtp;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The in-process counterpart of Postfix's scache(8): idle sessions kept after a transaction,
 * found again by next-hop (the request's destination) or by server address, for at most
 * smtp_connection_cache_time_limit. Both keys include the session's TLS policy, so that a
 * connection is never reused for a destination whose policy differs. A session is handed out once; an expired one is given to
 * the closer (which says QUIT).
 */
final class ConnectionCache {
    private static final ScheduledExecutorService REAPER =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("smtp-scache").factory());

    private record Entry(SmtpSession session, String destination) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Entry> byDestination = new HashMap<>();
    private final Map<String, Entry> byAddress = new HashMap<>();
    private final long idleMillis;
    private final Consumer<SmtpSession> closer;

    ConnectionCache(long idleMillis, Consumer<SmtpSession> closer) {
        this.idleMillis = idleMillis;
        this.closer = closer;
    }

    /** Keeps an idle session under its next-hop (with the next-hop's TLS policy key) and its server address. */
    void put(String destination, String destinationTlsKey, SmtpSession session) {
        Entry e = new Entry(session, destination + " " + destinationTlsKey);
        SmtpSession displaced = null;
        lock.lock();
        try {
            Entry old = byAddress.put(session.cacheKey(), e);
            if (old != null) {
                byDestination.remove(old.destination(), old);
                displaced = old.session();
            }
            Entry oldDest = byDestination.put(e.destination(), e);
            if (oldDest != null && oldDest != old) {
                byAddress.remove(oldDest.session().cacheKey(), oldDest);
                closer.accept(oldDest.session());
            }
        } finally {
            lock.unlock();
        }
        if (displaced != null) closer.accept(displaced);
        REAPER.schedule(() -> expire(e), Math.max(1, idleMillis), TimeUnit.MILLISECONDS);
    }

    /** An idle session for this next-hop under this TLS policy key, removed from the cache, or null. */
    SmtpSession takeByDestination(String destination, String destinationTlsKey) {
        lock.lock();
        try {
            Entry e = byDestination.remove(destination + " " + destinationTlsKey);
            if (e == null) return null;
            byAddress.remove(e.session().cacheKey(), e);
            return e.session();
        } finally {
            lock.unlock();
        }
    }

    /** An idle session with this key ({@link SmtpSession#cacheKey}: address and TLS policy), removed from the cache, or null. */
    SmtpSession takeByAddress(String key) {
        lock.lock();
        try {
            Entry e = byAddress.remove(key);
            if (e == null) return null;
            byDestination.remove(e.destination(), e);
            return e.session();
        } finally {
            lock.unlock();
        }
    }

    private void expire(Entry e) {
        boolean removed;
        lock.lock();
        try {
            removed = byAddress.remove(e.session().cacheKey(), e);
            byDestination.remove(e.destination(), e);
        } finally {
            lock.unlock();
        }
        if (removed) Thread.ofVirtual().start(() -> closer.accept(e.session()));
    }

    /** Closes every idle session (service stop). */
    void clear() {
        Map<String, Entry> all;
        lock.lock();
        try {
            all = new HashMap<>(byAddress);
            byAddress.clear();
            byDestination.clear();
        } finally {
            lock.unlock();
        }
        for (Entry e : all.values()) closer.accept(e.session());
    }

    int size() {
        lock.lock();
        try {
            return byAddress.size();
        } finally {
            lock.unlock();
        }
    }
}
