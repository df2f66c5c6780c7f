package org.posthorn.qmgr;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * in_flow_delay: Postfix's flow-control tokens between qmgr and cleanup (its master keeps
 * them in a pipe). cleanup takes one token per new message; when there is none it waits
 * in_flow_delay once and goes on, so senders are slowed to qmgr's pace, never blocked. qmgr
 * puts one token back for every message it takes from incoming/, and tops the bucket up to
 * the process limit while incoming/ is empty; cleanup gives a held message's token back
 * itself. The count never stays above that limit.
 */
public final class InFlow {
    private final AtomicInteger tokens;
    private final int limit;
    private final Duration delay;

    /**
     * @param limit default_process_limit: the most tokens that are ever waiting
     * @param delay in_flow_delay (zero turns flow control off)
     */
    public InFlow(int limit, Duration delay) {
        this.limit = Math.max(1, limit);
        this.delay = delay;
        this.tokens = new AtomicInteger(this.limit);
    }

    /** Whether flow control is on (in_flow_delay > 0). */
    public boolean enabled() {
        return !delay.isZero() && !delay.isNegative();
    }

    /**
     * cleanup, before each new message: takes a token, or without one sleeps in_flow_delay.
     *
     * @return whether it had to wait
     */
    public boolean await() throws InterruptedException {
        if (!enabled()) return false;
        for (int n = tokens.get(); n > 0; n = tokens.get()) {
            if (tokens.compareAndSet(n, n - 1)) return false;
        }
        Thread.sleep(delay);
        return true;
    }

    /**
     * One more message may come: qmgr took one from incoming/, or cleanup placed one in
     * hold/, where qmgr never takes it from (Postfix's cleanup returns that token itself,
     * or held mail would slow every sender).
     */
    public void put() {
        tokens.getAndUpdate(n -> Math.min(limit, n + 1));
    }

    /** qmgr found incoming/ empty: it keeps up, so the bucket is filled. */
    void fill() {
        tokens.set(limit);
    }

    /** Tokens waiting now. */
    public int available() {
        return tokens.get();
    }
}
