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
    private int starting;

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

    /** A service's first start begins: until it ends, its seams may still come. */
    void starting() {
        lock.lock();
        try {
            starting++;
        } finally {
            lock.unlock();
        }
    }

    /** A service's first start ended, well or not. */
    void started() {
        lock.lock();
        try {
            starting--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The implementation of {@code type}. While other services are still in their first
     * start (services start side by side) this waits up to {@code millis} for one to
     * register; once none is starting, a missing seam is missing and the call fails at once.
     *
     * @param callerStarting whether the caller is itself in its first start (it does not wait for itself)
     */
    <T> T await(Class<T> type, long millis, boolean callerStarting) {
        lock.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(millis);
            while (!byType.containsKey(type) && left > 0 && starting - (callerStarting ? 1 : 0) > 0) {
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
