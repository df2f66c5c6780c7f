package org.posthorn.master;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The in-process interfaces that running services offer one another (DESIGN.md §3a), by type. */
final class Seams {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Class<?>, Object> byType = new HashMap<>();

    <T> void register(Class<T> type, T implementation) {
        lock.lock();
        try {
            byType.put(type, type.cast(implementation));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Removes a registration if it is still this implementation (a newer one stays). */
    void withdraw(Class<?> type, Object implementation) {
        lock.lock();
        try {
            byType.remove(type, implementation);
        } finally {
            lock.unlock();
        }
    }

    /** The implementation of {@code type}, waiting up to {@code millis} for one to register. */
    <T> T await(Class<T> type, long millis) {
        lock.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(millis);
            while (!byType.containsKey(type) && left > 0) {
                left = changed.awaitNanos(left);
            }
            Object o = byType.get(type);
            if (o == null) throw new IllegalStateException("no running service provides " + type.getSimpleName());
            return type.cast(o);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + type.getSimpleName());
        } finally {
            lock.unlock();
        }
    }
}
