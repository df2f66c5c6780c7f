package org.posthorn.bounce;

import java.time.Clock;
import java.time.ZoneId;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.queue.QueueDirectory;

/**
 * bounce(8) as a master.cf service (rows bounce, defer and trace): offers the {@link Bounce}
 * seam, a {@link BounceDaemon} that writes its notices through cleanup. While no cleanup
 * service is registered a request fails and the log is kept for a later try.
 */
public final class BounceService implements Service {
    @Override
    public void start(ServiceContext context) {
        BounceLogs logs = new BounceLogs(QueueDirectory.of(context.config()));
        context.register(Bounce.class, new BounceDaemon(context.config(), logs, () -> context.seam(Cleanup.class),
                context.log(), Clock.systemUTC(), ZoneId.systemDefault()));
    }
}
