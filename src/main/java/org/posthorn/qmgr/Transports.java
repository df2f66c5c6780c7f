package org.posthorn.qmgr;

/**
 * qmgr's seam where delivery agents sign up: a master.cf row whose program is a delivery
 * agent (smtp, lmtp, local, virtual, pipe, error, discard) calls, in its Service.start,
 * {@code context.seam(Transports.class).register(context.entry().name(), agent, maxproc)},
 * so that qmgr can hand it jobs for that transport name ("smtp", "relay", "local", ...).
 */
public interface Transports {
    /**
     * @param transport the master.cf service name
     * @param agent     the agent that delivers for it
     * @param maxproc   the row's process limit (0 = unlimited): how many deliveries at once
     */
    void register(String transport, DeliveryAgent agent, int maxproc);
}
