package org.posthorn.qmgr;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.posthorn.bounce.Bounce;
import org.posthorn.bounce.UnsentBounce;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.SpareFiles;
import org.posthorn.rewrite.TrivialRewrite;

/**
 * qmgr(8) as a master.cf service ({@code qmgr unix n - n 300 1 qmgr}): offers the
 * {@link Transports} seam to the delivery agents, runs the {@link Qmgr} engine, and takes
 * Postfix's trigger bytes on public/qmgr (I, D, A, F, W) and the row's wakeup timer.
 */
public final class QmgrService implements Service {
    /** How long mail waits for a transport's agent to register after qmgr started. */
    static final Duration AGENT_GRACE = Duration.ofSeconds(5);

    private volatile Qmgr qmgr;

    @Override
    public void start(ServiceContext context) throws Exception {
        AtomicReference<TrivialRewrite> rewrite = new AtomicReference<>();
        UnsentBounce fallback = new UnsentBounce(context.log());
        QueueDirectory queue = QueueDirectory.of(context.config());
        // spares are this process's alone: what recycle/ holds now was left by a crash
        SpareFiles.of(queue.root()).clear();
        Qmgr q = new Qmgr(context.config(), queue, context.log(),
                () -> {
                    TrivialRewrite r = rewrite.get();
                    if (r == null) {
                        r = context.seam(TrivialRewrite.class);
                        rewrite.set(r);
                    }
                    return r;
                },
                () -> {
                    try {
                        return context.seam(Bounce.class);
                    } catch (IllegalStateException e) {
                        return fallback;
                    }
                },
                Clock.systemUTC(), AGENT_GRACE);
        q.fastFlush(() -> context.seam(org.posthorn.flush.Flush.class));
        context.register(Transports.class, q);
        context.register(QueueWakeup.class, q);
        context.register(InFlow.class, q.inFlow());
        q.start();
        qmgr = q;
    }

    @Override
    public boolean triggerServer() {
        return true;
    }

    @Override
    public void trigger(byte[] request, ServiceContext context) {
        Qmgr q = qmgr;
        if (q != null) q.trigger(request);
    }

    @Override
    public void wakeup(ServiceContext context) {
        Qmgr q = qmgr;
        if (q != null) q.wakeup();
    }

    @Override
    public void stop() {
        Qmgr q = qmgr;
        if (q != null) q.stop();
    }
}
