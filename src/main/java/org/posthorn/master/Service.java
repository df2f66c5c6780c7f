package org.posthorn.master;

import java.nio.channels.SocketChannel;

/**
 * A master.cf row's program (smtpd, pickup, qmgr, ...) as the master runs it. The master
 * binds the row's endpoint (inet host:port, or a UNIX-domain socket under public/ or
 * private/), accepts connections and calls {@link #serve} on a virtual thread for each,
 * never more at once than the row's maxproc. Programs that work on their own (qmgr,
 * pickup) start their threads in {@link #start} and get {@link #wakeup} calls from the
 * row's wakeup timer and from triggers.
 *
 * <p>Implementations have a public no-argument constructor; {@link ServiceRegistry} maps
 * the program name in master.cf's command column to the class. A service that throws from
 * start, serve or wakeup is logged and replaced by a fresh instance with a back-off.
 */
public interface Service {
    /** Called once before any connection or wakeup; may register seams with {@link ServiceContext#register}. */
    default void start(ServiceContext context) throws Exception {
    }

    /** One accepted connection; the master closes it when this returns. */
    default void serve(SocketChannel connection, ServiceContext context) throws Exception {
    }

    /** The wakeup timer fired or a trigger arrived. */
    default void wakeup(ServiceContext context) throws Exception {
    }

    /**
     * Whether this is one of Postfix's trigger servers (pickup, qmgr): a connection to its
     * socket carries a few request bytes and no dialogue, so the master reads them and calls
     * {@link #trigger} instead of {@link #serve}. See docs/public-sockets.md.
     */
    default boolean triggerServer() {
        return false;
    }

    /**
     * Trigger bytes arrived (qmgr: {@code I D A F W}; pickup: any byte). Triggers and
     * wakeups of one service never run at the same time. The default treats every trigger as
     * a wakeup.
     */
    default void trigger(byte[] request, ServiceContext context) throws Exception {
        wakeup(context);
    }

    /** Stop accepting work; running serve() calls finish on their own (postfix stop / reload). */
    default void stop() {
    }
}
