package org.posthorn.qmgr;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.posthorn.log.Log;

/**
 * A transport as qmgr schedules it: its agent and process limit, and its destinations
 * served round-robin, so that one destination with a long backlog gets no more than its
 * turn and its window while the others keep moving.
 */
final class TransportState {
    final String name;
    final Destination.Limits limits;
    DeliveryAgent agent;
    int maxproc;
    Log log;
    int busy;
    /** Until when the transport is suspended after its agent failed (transport_retry_time); null if not. */
    Instant deadUntil;
    final Map<String, Destination> destinations = new HashMap<>();
    /** Destinations with jobs waiting, in round-robin order. */
    private final Deque<Destination> rotation = new ArrayDeque<>();

    TransportState(String name, Destination.Limits limits) {
        this.name = name;
        this.limits = limits;
    }

    Destination destination(String queueName) {
        return destinations.computeIfAbsent(queueName, n -> new Destination(name, n, limits));
    }

    /** Queues a job at the end of its destination, which joins the rotation if it was not in it. */
    void add(Job job) {
        Destination d = job.destination();
        if (!d.inRotation) {
            rotation.addLast(d);
            d.inRotation = true;
        }
        d.addJob(job);
    }

    boolean dead(Instant now) {
        return deadUntil != null && now.isBefore(deadUntil);
    }

    boolean hasProcessSlot() {
        return maxproc <= 0 || busy < maxproc;
    }

    /** The next destination whose turn it is and that may start a job now; it moves to the end. */
    Destination next(Instant now) {
        int n = rotation.size();
        for (int i = 0; i < n; i++) {
            Destination d = rotation.pollFirst();
            if (!d.hasJobs()) {
                d.inRotation = false; // drained: leaves the rotation
                continue;
            }
            rotation.addLast(d);
            if (d.ready(now)) return d;
        }
        return null;
    }

    /** Forgets destinations nothing refers to. */
    void prune(Destination d) {
        if (d.idle()) destinations.remove(d.name, d);
    }

    boolean hasWork() {
        return !rotation.isEmpty();
    }

    /** The earliest time a rate-delayed destination with work may start again, or null. */
    Instant nextRateTime() {
        Instant t = null;
        for (Destination d : rotation) {
            Instant nb = d.notBefore();
            if (d.hasJobs() && nb != null && (t == null || nb.isBefore(t))) t = nb;
        }
        return t;
    }
}
