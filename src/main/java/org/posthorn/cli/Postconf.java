package org.posthorn.cli;

/** postconf(1). */
public final class Postconf extends Unavailable {
    public Postconf() {
        super("postconf", "the configuration work (postconf)");
    }
}
