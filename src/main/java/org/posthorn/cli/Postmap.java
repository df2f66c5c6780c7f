package org.posthorn.cli;

/** postmap(1). */
public final class Postmap extends Unavailable {
    public Postmap() {
        super("postmap", "the lookup tables work (postmap)");
    }
}
