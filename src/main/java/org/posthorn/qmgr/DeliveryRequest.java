package org.posthorn.qmgr;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One delivery job: some recipients of one queue file that share (transport, nexthop).
 * The agent reads the content from the queue file itself ({@code QueueFileReader.open(queueFile)
 * .contentStream(...)}), so the message is never copied into the request.
 *
 * @param transport   the master.cf service name qmgr chose (smtp, relay, local, ...)
 * @param nexthop     the resolved next hop: a domain, {@code [host]:port}, a local domain ...
 * @param queueId     the message's queue ID (log lines start with it)
 * @param queueFile   the file in active/
 * @param arrival     the message's arrival time (for delay=)
 * @param activeSince when qmgr moved the file into active/ (delays a/b split)
 * @param sender      the envelope sender, "" for the null sender
 * @param contentSize the message size as qmgr logs it (size=)
 * @param dsnRet      DSN RET (FULL, HDRS) or null
 * @param dsnEnvid    DSN ENVID or null
 * @param attributes  the queue file's named attributes (client_name, helo_name, ...)
 * @param recipients  the recipients of this job, with their record offsets
 * @param report      where the agent reports each recipient's outcome
 * @param backlog     whether qmgr has more mail waiting for this destination (Postfix's
 *                    DEL_REQ_FLAG_CONN_STORE): smtp_connection_cache_on_demand keeps the
 *                    connection open for it only then
 */
public record DeliveryRequest(String transport, String nexthop, String queueId, Path queueFile, Instant arrival,
                              Instant activeSince, String sender, long contentSize, String dsnRet, String dsnEnvid,
                              Map<String, String> attributes, List<DeliveryRecipient> recipients,
                              DeliveryReport report, boolean backlog) {
    /** A request from outside qmgr (tests, tools): a backlog is assumed, so connections may be cached. */
    public DeliveryRequest(String transport, String nexthop, String queueId, Path queueFile, Instant arrival,
                           Instant activeSince, String sender, long contentSize, String dsnRet, String dsnEnvid,
                           Map<String, String> attributes, List<DeliveryRecipient> recipients, DeliveryReport report) {
        this(transport, nexthop, queueId, queueFile, arrival, activeSince, sender, contentSize, dsnRet, dsnEnvid,
                attributes, recipients, report, true);
    }
}
