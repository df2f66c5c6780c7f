package org.posthorn.discard;

import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.qmgr.DeliveryAgent;
import org.posthorn.qmgr.DeliveryRecipient;
import org.posthorn.qmgr.DeliveryRequest;
import org.posthorn.qmgr.DeliveryStatus;
import org.posthorn.qmgr.DsnText;
import org.posthorn.qmgr.Transports;

/**
 * discard(8): reports every recipient delivered ({@code relay=none, status=sent (text)})
 * and throws the mail away; the text is the next hop (discard:sunk), whose leading status,
 * if any, replaces 2.0.0.
 */
public final class DiscardService implements Service, DeliveryAgent {
    @Override
    public void start(ServiceContext context) {
        context.seam(Transports.class).register(context.entry().name(), this,
                context.entry().maxproc(context.config()), context.log());
    }

    @Override
    public void deliver(DeliveryRequest request) {
        DsnText why = DsnText.split("2.0.0", request.nexthop());
        DeliveryStatus status = DeliveryStatus.of(why.dsn(), "none", why.text());
        for (DeliveryRecipient r : request.recipients()) request.report().sent(r, status);
    }
}
