package org.posthorn.cleanup;

/**
 * What smtpd's access restrictions decide before the content arrives and cleanup carries out
 * (Postfix passes them as cleanup flags). Submissions from {@link CleanupDaemon} implement
 * it: {@code if (submission instanceof SubmissionFlags f) f.hold();}.
 */
public interface SubmissionFlags {
    /** Access HOLD: the file goes to hold/ at finish; a later header_checks HOLD logs nothing more. */
    void hold();

    /** Access DISCARD: finish answers {@link Cleanup.Result.Queued} but keeps nothing. */
    void discard();

    /** Access FILTER transport:destination: the message goes to that content filter (a later one wins). */
    void filter(String nexthop);

    /** Access REDIRECT user@domain: every recipient is replaced by this one (a later one wins). */
    void redirect(String address);
}
