package org.posthorn.cleanup;

import java.time.Clock;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.qmgr.QueueWakeup;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.rewrite.TrivialRewrite;

/**
 * The cleanup row of master.cf: builds one {@link CleanupDaemon} from the row's
 * configuration at start, on the trivial-rewrite seam, and offers it to the other services
 * as the {@link Cleanup} seam ({@code context.seam(Cleanup.class)}).
 */
public final class CleanupService implements Service {
    @Override
    public void start(ServiceContext context) throws Exception {
        CleanupDaemon daemon = new CleanupDaemon(context.config(), QueueDirectory.of(context.config()), context.log(),
                context.seam(TrivialRewrite.class), Clock.systemUTC());
        daemon.onQueued(new QmgrWakeup(context));
        daemon.inFlow(new QmgrFlow(context));
        context.register(Cleanup.class, daemon);
    }

    /**
     * qmgr's in_flow_delay tokens, looked up for each message: a restarted qmgr brings new
     * ones. None (no flow control) when no qmgr row runs.
     */
    private record QmgrFlow(ServiceContext context) implements java.util.function.Supplier<org.posthorn.qmgr.InFlow> {
        @Override
        public org.posthorn.qmgr.InFlow get() {
            try {
                return context.seam(org.posthorn.qmgr.InFlow.class);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    /**
     * qmgr's wake-up seam, looked up for every message: a reload replaces qmgr, and a qmgr
     * that is missing for a moment must not be taken as missing for good (the lookup is a
     * map read under a lock, small beside the sync that precedes it).
     */
    private static final class QmgrWakeup implements QueueWakeup {
        private final ServiceContext context;

        QmgrWakeup(ServiceContext context) {
            this.context = context;
        }

        @Override
        public void incomingArrived(String queueId) {
            QueueWakeup q = qmgr();
            if (q != null) q.incomingArrived(queueId);
        }

        @Override
        public void expect(String queueId, org.posthorn.queue.Envelope envelope) {
            QueueWakeup q = qmgr();
            if (q != null) q.expect(queueId, envelope);
        }

        private QueueWakeup qmgr() {
            try {
                return context.seam(QueueWakeup.class);
            } catch (RuntimeException e) {
                return null; // no qmgr runs now: its periodic scan finds the file
            }
        }
    }
}
