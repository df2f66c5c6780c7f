package org.posthorn.cli;

/** newaliases(1). */
public final class Newaliases extends Unavailable {
    public Newaliases() {
        super("newaliases", "the lookup tables work (newaliases)");
    }
}
