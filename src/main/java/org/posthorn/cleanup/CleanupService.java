package org.posthorn.cleanup;

import java.time.Clock;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
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
        context.register(Cleanup.class, daemon);
    }
}
