package org.posthorn.qmgr;

/**
 * qmgr's in-process wake-up seam, the JVM's version of cleanup writing "I" to public/qmgr:
 * cleanup calls {@link #incomingArrived()} after each new file is complete in incoming/.
 */
public interface QueueWakeup {
    /** A new file is in incoming/; calls that arrive before the scan runs share one scan. */
    void incomingArrived();
}
