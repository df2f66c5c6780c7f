package org.posthorn.qmgr;

/**
 * A delivery agent (smtp, lmtp, local, virtual, pipe, error, discard) as qmgr calls it: one
 * message-shaped request at a time per call, many calls at once on virtual threads, bounded
 * by qmgr's per-transport and per-destination concurrency.
 *
 * <p>An agent reports every recipient of the request through {@link DeliveryRequest#report()}
 * before it returns: the reporter logs the {@code to=<...>} line with the agent's tag,
 * appends to the message's bounce or defer log, and marks a finished recipient done in the
 * queue file, as Postfix's agents do. A recipient left unreported (the agent threw) is
 * deferred by qmgr with "unknown mail transport error", as Postfix's qmgr does after an
 * agent crash.
 *
 * <p>Implementations have a public no-argument constructor and are also master
 * {@link org.posthorn.master.Service}s (so that master.cf rows name them); at start they
 * register themselves as the seam for their transport with qmgr.
 */
public interface DeliveryAgent {
    void deliver(DeliveryRequest request) throws Exception;
}
