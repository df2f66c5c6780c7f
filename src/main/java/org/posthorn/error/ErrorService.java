package org.posthorn.error;

import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.qmgr.DeliveryAgent;
import org.posthorn.qmgr.DeliveryRecipient;
import org.posthorn.qmgr.DeliveryReport;
import org.posthorn.qmgr.DeliveryRequest;
import org.posthorn.qmgr.DeliveryStatus;
import org.posthorn.qmgr.DsnText;
import org.posthorn.qmgr.Transports;

/**
 * error(8): the delivery agent that never delivers. Under the service name "error" it
 * bounces every recipient, under "retry" it defers them, as Postfix decides by the
 * master.cf service name; the reason is the next hop text (error:5.1.1 text), whose
 * leading status, if any, replaces the default 5.0.0 or 4.0.0.
 */
public final class ErrorService implements Service, DeliveryAgent {
    private volatile boolean bounce = true;

    @Override
    public void start(ServiceContext context) {
        String name = context.entry().name();
        if (!name.equals("error") && !name.equals("retry")) {
            throw new IllegalStateException("bad error service name: " + name);
        }
        bounce = name.equals("error");
        context.seam(Transports.class).register(name, this, context.entry().maxproc(context.config()), context.log());
    }

    /** An agent for a service name, for tests. */
    public static ErrorService forService(String name) {
        ErrorService s = new ErrorService();
        s.bounce = !name.equals("retry");
        return s;
    }

    @Override
    public void deliver(DeliveryRequest request) {
        DsnText why = DsnText.split(bounce ? "5.0.0" : "4.0.0", request.nexthop());
        DeliveryStatus status = DeliveryStatus.of(why.dsn(), "none", why.text());
        DeliveryReport report = request.report();
        for (DeliveryRecipient r : request.recipients()) {
            if (bounce) report.bounced(r, status);
            else report.deferred(r, status);
        }
    }
}
