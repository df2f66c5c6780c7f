package org.posthorn.bounce;

/**
 * The seam of bounce(8) for notices: qmgr asks it to turn a message's per-message log into
 * a notice to the sender, as Postfix's qmgr does through the bounce, defer and trace
 * services. Each method answers whether the notice was queued; on success the
 * implementation removes the log it reported (a delay warning keeps the defer log), on
 * failure it keeps the log and qmgr keeps the message in the queue and tries again on a
 * later queue run ("better twice than never").
 */
public interface Bounce {
    /** The message a notice is about (queue file still in active/). */
    record Notice(String queueId, java.nio.file.Path queueFile, String sender, String dsnEnvid, String dsnRet) {
    }

    /** A non-delivery notice from the bounce log (recipients bounced by agents). */
    boolean flushBounced(Notice message);

    /** A non-delivery notice from the defer log (the message expired: its deferred recipients bounce). */
    boolean flushExpired(Notice message);

    /** A delay warning from the defer log (delay_warning_time passed); the defer log stays. */
    boolean warnDelayed(Notice message);

    /** A success notice from the trace log (recipients delivered with NOTIFY=SUCCESS). */
    boolean flushTraced(Notice message);

    /**
     * The delivery report of sendmail -v (trace_flags 1024) from the trace log: every
     * outcome of the first delivery attempt goes to the sender, whatever NOTIFY says.
     */
    boolean flushReport(Notice message);
}
