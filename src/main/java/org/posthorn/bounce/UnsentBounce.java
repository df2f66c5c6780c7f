package org.posthorn.bounce;

import org.posthorn.log.Log;

/**
 * The {@link Bounce} qmgr falls back on while no bounce service is registered: each request
 * logs a warning and fails, so the log stays in place and qmgr keeps the message until a
 * {@link BounceDaemon} can write the notice.
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

    @Override
    public boolean flushTraced(Notice message) {
        log.warning("%s: delivery status notice not sent: not implemented", message.queueId());
        return false;
    }

    @Override
    public boolean flushReport(Notice message) {
        log.warning("%s: delivery status notice not sent: not implemented", message.queueId());
        return false;
    }
}
