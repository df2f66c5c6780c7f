package org.posthorn.cli;

/** sendmail(1). */
public final class Sendmail extends Unavailable {
    public Sendmail() {
        super("sendmail", "the mail reception work (sendmail, postdrop, pickup)");
    }
}
