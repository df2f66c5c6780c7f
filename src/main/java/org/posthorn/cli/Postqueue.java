package org.posthorn.cli;

/** postqueue(1). */
public final class Postqueue extends Unavailable {
    public Postqueue() {
        super("postqueue", "the queue operations work (showq, postqueue)");
    }
}
