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

    /** qmgr's wake-up seam, looked up at first use (qmgr may start after cleanup); none when no qmgr row runs. */
    private static final class QmgrWakeup implements Runnable {
        private final ServiceContext context;
        private volatile QueueWakeup qmgr;
        private volatile boolean absent;

        QmgrWakeup(ServiceContext context) {
            this.context = context;
        }

        @Override
        public void run() {
            QueueWakeup q = qmgr;
            if (q == null && !absent) {
                try {
                    q = context.seam(QueueWakeup.class);
                    qmgr = q;
                } catch (RuntimeException e) {
                    absent = true; // qmgr's periodic scan finds the file
                }
            }
            if (q != null) q.incomingArrived();
        }
    }
}
