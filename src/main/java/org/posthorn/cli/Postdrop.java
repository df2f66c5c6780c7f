package org.posthorn.cli;

/** postdrop(1). */
public final class Postdrop extends Unavailable {
    public Postdrop() {
        super("postdrop", "the mail reception work (sendmail, postdrop, pickup)");
    }
}
