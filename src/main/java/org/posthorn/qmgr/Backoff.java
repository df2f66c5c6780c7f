package org.posthorn.qmgr;

import java.time.Instant;

/**
 * qmgr's retry policy: a message with deferred recipients waits as long as it has already
 * been queued, bounded by minimal_backoff_time and maximal_backoff_time, so the intervals
 * grow with its age; it expires after maximal_queue_lifetime (bounce_queue_lifetime for
 * the null sender).
 */
final class Backoff {
    private Backoff() {
    }

    /** Seconds until the next attempt: the time in queue, clamped to [min, max]. */
    static long delaySeconds(Instant arrival, Instant now, long minSeconds, long maxSeconds) {
        long inQueue = now.getEpochSecond() - arrival.getEpochSecond();
        long delay = Math.min(inQueue, maxSeconds);
        return Math.max(delay, minSeconds);
    }

    /** Whether a message has outlived its queue lifetime (a lifetime of 0 allows a single attempt). */
    static boolean expired(Instant arrival, Instant now, long lifetimeSeconds) {
        return now.getEpochSecond() >= arrival.getEpochSecond() + lifetimeSeconds;
    }
}
