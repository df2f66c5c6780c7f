package org.posthorn.bounce;

import org.posthorn.log.Log;

/**
 * The interim {@link Bounce}: notices (RFC 3464) are not written yet, so each request logs
 * a warning and fails; the bounce or defer log stays in place and qmgr keeps the message,
 * so nothing is lost until the notice work replaces this class.
 */
public final class UnsentBounce implements Bounce {
    private final Log log;

    public UnsentBounce(Log log) {
        this.log = log;
    }

    @Override
    public boolean flushBounced(Notice message) {
        log.warning("%s: bounce notice not sent: not implemented", message.queueId());
        return false;
    }

    @Override
    public boolean flushExpired(Notice message) {
        log.warning("%s: bounce notice not sent: not implemented", message.queueId());
        return false;
    }

    @Override
    public boolean warnDelayed(Notice message) {
        log.warning("%s: delay notice not sent: not implemented", message.queueId());
        return false;
    }
}
