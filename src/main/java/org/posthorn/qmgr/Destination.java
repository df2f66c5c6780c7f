package org.posthorn.qmgr;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One delivery queue of qmgr: a (transport, next hop) pair with its jobs waiting, the
 * deliveries in progress, and the concurrency window of Postfix's scheduler
 * (SCHEDULER_README): start at initial_destination_concurrency, grow by positive feedback
 * up to the concurrency limit, shrink by negative feedback, and after failed_cohort_limit
 * failed pseudo-cohorts declare the destination dead until it is revived. With a rate
 * delay, one delivery at a time and a pause after each. The messages with jobs waiting here
 * take turns (one job each, round-robin).
 */
final class Destination {
    /** A transport's scheduling settings for its destinations. */
    record Limits(int concurrencyLimit, int initialConcurrency, Feedback positive, Feedback negative,
                  double failedCohortLimit, Duration rateDelay, int recipientLimit) {
        int cap() {
            if (!rateDelay.isZero()) return 1;
            return concurrencyLimit <= 0 ? Integer.MAX_VALUE : concurrencyLimit;
        }
    }

    final String transport;
    /** The queue name: the next hop, or recipient@nexthop when the recipient limit is 1. */
    final String name;
    final Limits limits;
    /** Waiting jobs per message; messages take turns, so a small one need not wait for a big mailing. */
    private final Map<ActiveMessage, Deque<Job>> todo = new LinkedHashMap<>();
    private final Deque<ActiveMessage> turns = new ArrayDeque<>();
    /** Whether the transport's round-robin holds this destination. */
    boolean inRotation;
    private int window;
    private double success;
    private double failure;
    private double failCohorts;
    private int busy;
    private boolean dead;
    private Instant deadUntil;
    private DeliveryStatus deadReason;
    private Instant notBefore;

    Destination(String transport, String name, Limits limits) {
        this.transport = transport;
        this.name = name;
        this.limits = limits;
        this.window = Math.max(1, Math.min(limits.initialConcurrency(), limits.cap()));
    }

    /** Queues a job behind the others of its message. */
    void addJob(Job job) {
        Deque<Job> q = todo.get(job.message());
        if (q == null) {
            q = new ArrayDeque<>();
            todo.put(job.message(), q);
            turns.addLast(job.message());
        }
        q.addLast(job);
    }

    /** The next job: from the message whose turn it is, which then goes to the back; null if none. */
    Job pollJob() {
        ActiveMessage m = turns.pollFirst();
        if (m == null) return null;
        Deque<Job> q = todo.get(m);
        Job job = q.pollFirst();
        if (q.isEmpty()) todo.remove(m);
        else turns.addLast(m);
        return job;
    }

    /** Removes and returns every waiting job. */
    List<Job> drainJobs() {
        List<Job> out = new ArrayList<>();
        for (ActiveMessage m : turns) out.addAll(todo.get(m));
        todo.clear();
        turns.clear();
        return out;
    }

    boolean hasJobs() {
        return !turns.isEmpty();
    }

    int window() {
        return dead ? 0 : window;
    }

    int busy() {
        return busy;
    }

    boolean dead() {
        return dead;
    }

    DeliveryStatus deadReason() {
        return deadReason;
    }

    Instant deadUntil() {
        return deadUntil;
    }

    /** Whether a job may start now: work waiting, a free slot in the window, the rate delay over. */
    boolean ready(Instant now) {
        return !dead && hasJobs() && busy < window && (notBefore == null || !now.isBefore(notBefore));
    }

    /** When a rate-delayed destination may start its next job, or null. */
    Instant notBefore() {
        return notBefore;
    }

    void started() {
        busy++;
    }

    /** A delivery ended (after feedback was applied). */
    void finished(Instant now) {
        busy--;
        if (!limits.rateDelay().isZero()) notBefore = now.plus(limits.rateDelay());
    }

    /** A delivery reached the site: grow the window by g(N), but only while deliveries keep it busy. */
    void positiveFeedback() {
        if (dead) return;
        if (window < limits.cap() && window < busy + limits.initialConcurrency()) {
            success += limits.positive().at(window);
            while (success >= 1) {
                window++;
                success -= 1;
                failure = 0;
            }
            window = Math.min(window, limits.cap());
        }
        failCohorts = 0;
    }

    /**
     * A delivery could not reach the site: count a failed pseudo-cohort (1/N) and shrink
     * the window by f(N); returns true when this made the destination dead.
     */
    boolean negativeFeedback(DeliveryStatus reason, Instant now, Duration deadTime) {
        if (dead) return false;
        failCohorts += 1.0 / window;
        if (limits.failedCohortLimit() > 0 && failCohorts >= limits.failedCohortLimit()) {
            dead = true;
            deadReason = reason;
            deadUntil = now.plus(deadTime);
            return true;
        }
        failure -= limits.negative().at(window);
        while (failure < 0) {
            window--;
            failure += 1;
            success = 0;
        }
        if (window < 1) window = 1;
        return false;
    }

    /** Ends a dead period (its timer ran out, or an F trigger): start again with the initial window. */
    void revive() {
        dead = false;
        deadReason = null;
        deadUntil = null;
        failCohorts = 0;
        success = 0;
        failure = 0;
        window = Math.max(1, Math.min(limits.initialConcurrency(), limits.cap()));
    }

    /** Whether nothing refers to this destination any more (it can be forgotten unless dead). */
    boolean idle() {
        return !hasJobs() && busy == 0 && !dead;
    }
}
