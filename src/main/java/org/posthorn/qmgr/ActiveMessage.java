package org.posthorn.qmgr;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.posthorn.queue.Envelope;
import org.posthorn.queue.Recipient;

/** A queue file in active/ as qmgr tracks it until all its jobs have finished. */
final class ActiveMessage {
    final String queueId;
    final Path file;
    /** The file's device and inode when qmgr moved it into active/ (a rename keeps them). */
    final Object fileKey;
    final Envelope envelope;
    final Instant activeSince;
    final boolean forceExpire;
    /** Jobs not yet finished. */
    int pendingJobs;
    /** Recipients of this message held in qmgr's memory. */
    int inCoreRecipients;
    /** Pending recipients not yet scheduled (beyond qmgr's in-memory recipient budget). */
    final Deque<Recipient> unread = new ArrayDeque<>();
    /** Whether some recipient was deferred (the file goes to deferred/). */
    boolean deferred;
    /** flush(8) asked for this message (postqueue -i): its dead destinations get another chance. */
    boolean unthrottle;
    /**
     * Whether the file left active/ behind qmgr's back (postsuper -d, -h or -r): qmgr then
     * forgets the message without touching the file or logging a delivery.
     */
    boolean gone;

    ActiveMessage(String queueId, Path file, Object fileKey, Envelope envelope, Instant activeSince, boolean forceExpire) {
        this.queueId = queueId;
        this.file = file;
        this.fileKey = fileKey;
        this.envelope = envelope;
        this.activeSince = activeSince;
        this.forceExpire = forceExpire;
    }

    Instant arrival() {
        return envelope.arrivalTime();
    }

    String sender() {
        return envelope.sender();
    }
}
