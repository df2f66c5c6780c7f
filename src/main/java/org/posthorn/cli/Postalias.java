package org.posthorn.cli;

/** postalias(1). */
public final class Postalias extends Unavailable {
    public Postalias() {
        super("postalias", "the lookup tables work (postalias)");
    }
}
