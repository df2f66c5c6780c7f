package org.posthorn.bounce;

import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;

/**
 * bounce(8) as a master.cf service (rows bounce, defer and trace): offers the {@link Bounce}
 * seam. For now that is {@link UnsentBounce}, which writes no notice.
 */
public final class BounceService implements Service {
    @Override
    public void start(ServiceContext context) {
        context.register(Bounce.class, new UnsentBounce(context.log()));
    }
}
