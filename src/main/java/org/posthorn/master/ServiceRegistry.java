package org.posthorn.master;

import java.util.Map;

/**
 * master.cf's command column to the Java class of that program. Programs that arrive with
 * later work are absent; the master says so for rows that name them. The system property
 * {@code posthorn.service.PROGRAM=CLASS} (a master JVM option, see POSTHORN_MASTER_OPTS)
 * adds or replaces a program, for tests and experiments.
 */
public final class ServiceRegistry {
    private static final Map<String, String> PROGRAMS = Map.ofEntries(
            Map.entry("bounce", "org.posthorn.bounce.BounceService"),
            Map.entry("cleanup", "org.posthorn.cleanup.CleanupService"),
            Map.entry("discard", "org.posthorn.discard.DiscardService"),
            Map.entry("error", "org.posthorn.error.ErrorService"),
            Map.entry("flush", "org.posthorn.flush.FlushService"),
            Map.entry("lmtp", "org.posthorn.smtp.LmtpService"),
            Map.entry("local", "org.posthorn.local.LocalService"),
            Map.entry("pickup", "org.posthorn.pickup.PickupService"),
            Map.entry("pipe", "org.posthorn.pipe.PipeService"),
            Map.entry("proxymap", "org.posthorn.proxymap.ProxymapService"),
            Map.entry("qmgr", "org.posthorn.qmgr.QmgrService"),
            Map.entry("qmqpd", "org.posthorn.qmqpd.QmqpdService"),
            Map.entry("showq", "org.posthorn.showq.ShowqService"),
            Map.entry("smtp", "org.posthorn.smtp.SmtpService"),
            Map.entry("smtpd", "org.posthorn.smtpd.SmtpdService"),
            Map.entry("trivial-rewrite", "org.posthorn.rewrite.TrivialRewriteService"),
            Map.entry("virtual", "org.posthorn.virtual.VirtualService"));

    private ServiceRegistry() {
    }

    /** A new instance of the program's service, or null when this version has none. */
    public static Service create(String program) throws ReflectiveOperationException {
        String cls = System.getProperty("posthorn.service." + program, PROGRAMS.get(program));
        if (cls == null) return null;
        try {
            return (Service) Class.forName(cls).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
