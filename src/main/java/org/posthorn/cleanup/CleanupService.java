package org.posthorn.cleanup;

import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.queue.QueueDirectory;

/**
 * The cleanup row of master.cf: builds one {@link CleanupDaemon} from the row's
 * configuration at start. Other services reach it through {@link #daemon()} until the
 * master offers a registry of seams (ServiceContext.seam(Cleanup.class)).
 */
public final class CleanupService implements Service {
    private volatile CleanupDaemon daemon;

    @Override
    public void start(ServiceContext context) throws Exception {
        daemon = new CleanupDaemon(context.config(), QueueDirectory.of(context.config()), context.log());
    }

    /** The running daemon (the Cleanup seam), or null before start. */
    public Cleanup daemon() {
        return daemon;
    }
}
