package org.posthorn.cli;

/** mailq(1). */
public final class Mailq extends Unavailable {
    public Mailq() {
        super("mailq", "the queue operations work (showq, postqueue)");
    }
}
