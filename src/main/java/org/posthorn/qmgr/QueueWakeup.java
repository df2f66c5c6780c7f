package org.posthorn.qmgr;

import org.posthorn.queue.Envelope;

/**
 * qmgr's in-process wake-up seam, the JVM's version of cleanup writing "I" to public/qmgr:
 * cleanup calls {@link #incomingArrived} after each new file is complete in incoming/.
 */
public interface QueueWakeup {
    /** A new file is complete in incoming/ under this queue ID; qmgr takes it without a scan of incoming/. */
    void incomingArrived(String queueId);

    /**
     * What a file about to be completed in incoming/ holds apart from its content, so qmgr
     * need not read it back. Called before the file is marked complete: qmgr may find it
     * then, before any wake-up. A file that never completes leaves an entry that expires.
     */
    default void expect(String queueId, Envelope envelope) {
    }
}
