package org.posthorn.qmgr;

import java.util.function.Supplier;
import org.posthorn.flush.Flush;
import org.posthorn.flush.FlushDomains;
import org.posthorn.log.Log;

/**
 * Tells flush(8) about deferred mail, as Postfix's defer_append does: a recipient whose
 * domain is in fast_flush_domains gets its message's queue ID added to that domain's
 * fast-flush log, so that ETRN and postqueue -s find it. Ineligible domains cost nothing.
 */
final class FastFlushLog {
    private final FlushDomains domains;
    private volatile Supplier<Flush> flush;

    FastFlushLog(FlushDomains domains) {
        this.domains = domains;
    }

    /** Where flush(8) is reached (the master's seam); until set, nothing is logged. */
    void connect(Supplier<Flush> flush) {
        this.flush = flush;
    }

    void deferred(String recipient, String queueId, Log log) {
        Supplier<Flush> f = flush;
        if (f == null || domains.isEmpty()) return;
        int at = recipient.lastIndexOf('@');
        if (at < 0 || at + 1 == recipient.length()) return;
        String site = recipient.substring(at + 1);
        if (domains.check(site) != Flush.Status.OK) return;
        Flush.Status status;
        try {
            status = f.get().add(site, queueId);
        } catch (RuntimeException e) {
            status = Flush.Status.FAIL;
        }
        if (status != Flush.Status.OK && status != Flush.Status.DENY) log.warning("unable to talk to fast flush service");
    }
}
