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
 * the program name in master.cf's command column to the class.
 */
public interface Service {
    /** Called once before any connection or wakeup. */
    default void start(ServiceContext context) throws Exception {
    }

    /** One accepted connection; the master closes it when this returns. */
    default void serve(SocketChannel connection, ServiceContext context) throws Exception {
    }

    /** The wakeup timer fired or a trigger arrived. */
    default void wakeup(ServiceContext context) throws Exception {
    }

    /** Stop accepting work; running serve() calls finish on their own (postfix stop / reload). */
    default void stop() {
    }
}
