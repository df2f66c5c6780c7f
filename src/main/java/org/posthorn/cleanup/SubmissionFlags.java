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
}
