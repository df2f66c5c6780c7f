package org.posthorn.smtp;

import org.posthorn.config.Config;
import org.posthorn.dns.DnsResolver;
import org.posthorn.dns.HostLookup;
import org.posthorn.log.Log;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.qmgr.DeliveryAgent;
import org.posthorn.qmgr.DeliveryRequest;
import org.posthorn.qmgr.Transports;

/**
 * smtp(8) as a master.cf service: at start it builds the client from the row's configuration
 * and registers itself with qmgr's {@link Transports} under the row's service name (smtp,
 * relay, ...), with the row's maxproc as its concurrency. {@link LmtpService} is the same
 * program in LMTP mode.
 */
public class SmtpService implements Service, DeliveryAgent {
    private volatile SmtpClient client;

    /** Whether this program speaks LMTP (lmtp(8)) rather than SMTP. */
    protected boolean lmtp() {
        return false;
    }

    @Override
    public void start(ServiceContext context) {
        client = create(context.config(), context.log(), lmtp());
        // registered off the start path: the smtp, relay and lmtp rows start side by side and
        // would otherwise each wait for the others' first start while looking up the seam
        Thread.ofVirtual().name("register-" + context.entry().name()).start(() -> register(context));
    }

    private void register(ServiceContext context) {
        Transports transports;
        try {
            transports = context.seam(Transports.class);
        } catch (IllegalStateException | UnsupportedOperationException e) {
            context.log().warning("no queue manager to register transport %s with: %s",
                    context.entry().name(), e.getMessage());
            return;
        }
        transports.register(context.entry().name(), this, context.entry().maxproc(context.config()));
    }

    /** A client for a configuration (tests use this without a master). */
    static SmtpClient create(Config config, Log log, boolean lmtp) {
        SmtpParams params = new SmtpParams(config, lmtp);
        params.validate();
        HostLookup lookup = HostLookup.configure(DnsResolver.system(), params.get("host_lookup"),
                params.globalBool("disable_dns_lookups"), params.global("inet_protocols"),
                params.bool("randomize_addresses"));
        return new SmtpClient(params, lookup, log);
    }

    @Override
    public void deliver(DeliveryRequest request) {
        SmtpClient c = client;
        if (c == null) throw new IllegalStateException("smtp client not started");
        c.deliver(request);
    }

    @Override
    public void stop() {
        SmtpClient c = client;
        if (c != null) c.cache().clear();
    }
}
