package org.posthorn.cli;

/** postsuper(1). */
public final class Postsuper extends Unavailable {
    public Postsuper() {
        super("postsuper", "the queue operations work (postsuper)");
    }
}
