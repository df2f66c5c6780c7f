package org.posthorn.cli;

/** postfix(1). */
public final class Postfix extends Unavailable {
    public Postfix() {
        super("postfix", "the master (postfix start, stop, reload)");
    }
}
