package org.posthorn.local;

import org.posthorn.cleanup.Cleanup;
import org.posthorn.config.Config;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.qmgr.DeliveryAgent;
import org.posthorn.qmgr.DeliveryRequest;
import org.posthorn.qmgr.Transports;

/**
 * local(8): delivery to the users of this machine, to aliases, .forward files, commands and
 * files. As a master service it signs up with qmgr for its master.cf row's transport name.
 */
public final class LocalService implements Service, DeliveryAgent {
    private volatile Config config;
    private volatile ServiceContext context;
    private final Passwd passwd;
    private volatile Cleanup cleanup;
    private volatile java.util.function.Function<String, DeliveryAgent> agents;

    public LocalService() {
        this(Passwd.system());
    }

    /** An agent with its own passwd file (tests). */
    public LocalService(Passwd passwd) {
        this.passwd = passwd;
    }

    /** An agent outside the master (tests, tools): configuration and cleanup given directly. */
    public static LocalService of(Config config, Passwd passwd, Cleanup cleanup) {
        LocalService s = new LocalService(passwd);
        s.config = Parameters.withDefaults(config);
        s.cleanup = cleanup;
        return s;
    }

    @Override
    public void start(ServiceContext context) {
        this.context = context;
        this.config = Parameters.withDefaults(context.config());
        register(context, this);
    }

    /**
     * Signs a delivery agent up with qmgr for its master.cf row's name, with the row's
     * maxproc as its concurrency; without a queue manager (tests, tools) it only warns.
     */
    public static void register(ServiceContext context, DeliveryAgent agent) {
        String m = context.entry().maxprocColumn();
        int maxproc;
        try {
            maxproc = m.equals("-") ? context.config().getInt("default_process_limit") : Integer.parseInt(m);
        } catch (NumberFormatException e) {
            maxproc = 1;
        }
        try {
            context.seam(Transports.class).register(context.entry().name(), agent, maxproc);
        } catch (IllegalStateException e) {
            context.log().warning("no queue manager to register transport %s with", context.entry().name());
        }
    }

    @Override
    public void deliver(DeliveryRequest request) {
        new LocalDelivery(config, passwd, cleanup(), request, this::agent, this::agentLog).run();
    }

    /** Another transport's agent (mailbox_transport, fallback_transport), through qmgr's registry. */
    private DeliveryAgent agent(String transport) {
        if (agents != null) return agents.apply(transport);
        if (context == null) return null;
        try {
            return context.seam(Transports.class).agent(transport);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /** That agent's log, for the tag of the delivery lines it causes. */
    private org.posthorn.log.Log agentLog(String transport) {
        if (agents != null || context == null) return null;
        try {
            return context.seam(Transports.class).agentLog(transport);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /** For tests and tools outside the master: where other transports' agents are found. */
    public LocalService withAgents(java.util.function.Function<String, DeliveryAgent> agents) {
        this.agents = agents;
        return this;
    }

    private Cleanup cleanup() {
        if (cleanup == null && context != null) {
            try {
                cleanup = context.seam(Cleanup.class);
            } catch (IllegalStateException e) {
                return null;
            }
        }
        return cleanup;
    }
}
