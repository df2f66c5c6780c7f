package org.posthorn.util;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Deadlines for blocking socket operations that have no timeout of their own (socket writes,
 * channel reads): a connection arms its alarm before it may block and disarms it after, and
 * one daemon thread runs the expiry action (closing the connection, which fails the blocked
 * call) of every alarm whose deadline has passed.
 *
 * <p>Arming is a volatile write, not a scheduled task: a task per SMTP reply that stays
 * queued for smtpd_timeout after its cancel kept every finished session reachable for five
 * minutes (287,000 dead tasks after 10,000 messages).
 */
public final class Watchdog {
    /** The watchdog of this JVM, shared by smtpd and the smtp client. */
    public static final Watchdog SHARED = new Watchdog("posthorn-watchdog");

    /** One connection's deadline; register it once, close it with the connection. */
    public final class Alarm implements AutoCloseable {
        private final Runnable onExpiry;
        /** System.nanoTime() of the deadline; 0 when disarmed. */
        private volatile long deadline;
        private volatile boolean expired;

        private Alarm(Runnable onExpiry) {
            this.onExpiry = onExpiry;
        }

        /** Sets the deadline millis from now (0 or less: none). */
        public void arm(long millis) {
            if (millis <= 0) {
                deadline = 0;
                return;
            }
            long d = System.nanoTime() + millis * 1_000_000L;
            if (d == 0) d = 1;
            deadline = d;
            if (d - nextWake < 0) LockSupport.unpark(sweeper);
        }

        public void disarm() {
            deadline = 0;
        }

        /** Whether a deadline passed and the expiry action ran (or is running). */
        public boolean expired() {
            return expired;
        }

        @Override
        public void close() {
            deadline = 0;
            alarms.remove(this);
        }
    }

    private final Set<Alarm> alarms = ConcurrentHashMap.newKeySet();
    private final Thread sweeper;
    /**
     * When the sweeper will look next. Long.MAX_VALUE-like while it scans, so that an alarm
     * armed during a scan (which the scan may have missed) wakes it for another one.
     */
    private volatile long nextWake;

    private Watchdog(String name) {
        nextWake = System.nanoTime() + Long.MAX_VALUE / 2;
        sweeper = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
        sweeper.start();
    }

    /** A new disarmed alarm that runs onExpiry (on the watchdog's thread) when a deadline passes. */
    public Alarm alarm(Runnable onExpiry) {
        Alarm a = new Alarm(onExpiry);
        alarms.add(a);
        return a;
    }

    /**
     * A new disarmed alarm that closes connection when a deadline passes. A TCP connection is
     * reset (SO_LINGER 0): a graceful close would queue its FIN behind replies that a peer
     * which stopped reading never takes, and leave that peer's writes hanging until its
     * zero-window probes give up, minutes later.
     */
    public Alarm closing(Closeable connection) {
        return alarm(() -> {
            try {
                if (connection instanceof NetworkChannel tcp && tcp.supportedOptions().contains(StandardSocketOptions.SO_LINGER)) {
                    tcp.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
            } catch (IOException | RuntimeException e) {
                // closed meanwhile, or not a socket that lingers: the close below is what counts
            }
            try {
                connection.close();
            } catch (IOException e) {
                // closing is all an expired deadline does
            }
        });
    }

    private void run() {
        for (;;) {
            long now = System.nanoTime();
            nextWake = now + Long.MAX_VALUE / 2;
            long earliest = now + Long.MAX_VALUE / 2;
            for (Alarm a : alarms) {
                long d = a.deadline;
                if (d == 0) continue;
                if (d - now <= 0) {
                    a.deadline = 0;
                    a.expired = true;
                    try {
                        a.onExpiry.run();
                    } catch (RuntimeException e) {
                        // the action only closes a connection; nothing more to do
                    }
                } else if (d - earliest < 0) {
                    earliest = d;
                }
            }
            nextWake = earliest;
            LockSupport.parkNanos(this, earliest - now);
        }
    }
}
