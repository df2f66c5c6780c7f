package org.posthorn.smtpd;

/**
 * The result of one restriction (DESIGN.md §3a, the Restriction seam): permit, dunno, or a
 * reject with its reply (a defer is a reject with a 4xx code).
 */
sealed interface Verdict {
    /** Accept: ends the current restriction list. */
    Verdict PERMIT = new Permit();
    /** No decision: the next restriction decides. */
    Verdict DUNNO = new Dunno();

    record Permit() implements Verdict {
    }

    record Dunno() implements Verdict {
    }

    /**
     * Refuse: ends the evaluation of the command.
     *
     * @param code  reply code (4xx defers, 5xx rejects; 421 and 521 also end the session)
     * @param dsn   enhanced status code
     * @param text  the text after the enhanced code, e.g. {@code <a@b>: Sender address rejected: Access denied}
     */
    record Reject(int code, String dsn, String text) implements Verdict {
        String reply() {
            return code + " " + dsn + " " + text;
        }
    }
}
