package org.posthorn.qmgr;

/**
 * qmgr's seam where delivery agents sign up: a master.cf row whose program is a delivery
 * agent (smtp, lmtp, local, virtual, pipe, error, discard) calls, in its Service.start,
 * {@code context.seam(Transports.class).register(context.entry().name(), agent,
 * context.entry().maxproc(context.config()), context.log())}, so that qmgr can hand it jobs
 * for that transport name ("smtp", "relay", "local", ...) and log each recipient's
 * {@code to=<...>} line under the agent's tag ({@code postfix/smtp[pid]}).
 */
public interface Transports {
    /**
     * @param transport the master.cf service name
     * @param agent     the agent that delivers for it
     * @param maxproc   the row's process limit (0 = unlimited): how many deliveries at once
     */
    void register(String transport, DeliveryAgent agent, int maxproc);

    /**
     * As {@link #register(String, DeliveryAgent, int)}, with the agent's log: the delivery
     * lines of its recipients carry that log's tag. The three-argument form logs under
     * {@code syslog_name/transport}.
     */
    default void register(String transport, DeliveryAgent agent, int maxproc, org.posthorn.log.Log log) {
        register(transport, agent, maxproc);
    }

    /**
     * The agent registered for a transport, or null. local(8) hands a recipient to
     * mailbox_transport or fallback_transport through it, the JVM's version of Postfix's
     * deliver_pass over private/TRANSPORT.
     */
    default DeliveryAgent agent(String transport) {
        return null;
    }

    /** The log of a transport's agent (its tag), or null. */
    default org.posthorn.log.Log agentLog(String transport) {
        return null;
    }
}
