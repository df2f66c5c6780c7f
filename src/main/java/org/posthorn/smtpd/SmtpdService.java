package org.posthorn.smtpd;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.flush.Flush;
import org.posthorn.flush.FlushClient;
import org.posthorn.flush.FlushDomains;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.rewrite.TrivialRewrite;
import org.posthorn.util.Watchdog;

/** smtpd(8) as a master service: one {@link SmtpdSession} per accepted connection. */
public final class SmtpdService implements Service {
    private volatile Cleanup cleanup;
    private volatile TrivialRewrite rewrite;
    private volatile DnsLookup dns;
    private volatile Flush flush;
    /** How check_*_access tables are opened; null means TableFactory. */
    private final Restrictions.TableOpener tables;

    public SmtpdService() {
        this(null);
    }

    /** For tests: access tables from the given opener instead of TableFactory. */
    SmtpdService(Restrictions.TableOpener tables) {
        this.tables = tables;
    }

    /** The resolver of posthorn.dns.servers or /etc/resolv.conf, as it is when the first session starts. */
    private DnsLookup dns() {
        DnsLookup d = dns;
        if (d == null) dns = d = new ResolverDnsLookup(org.posthorn.dns.DnsResolver.system());
        return d;
    }

    /** Parsed once per service instance: a reload starts a new instance with the new configuration. */
    private volatile SmtpdSettings settings;

    private SmtpdSettings settings(ServiceContext context) {
        SmtpdSettings s = settings;
        if (s == null) settings = s = SmtpdSettings.from(context.config());
        return s;
    }

    /** The SASL settings, also once per service instance. */
    private volatile SmtpdSasl sasl;

    private SmtpdSasl sasl(ServiceContext context) {
        SmtpdSasl s = sasl;
        if (s == null) sasl = s = SmtpdSasl.from(context.config(), context.queueDirectory());
        return s;
    }

    /** The TLS settings and SSLContext (with its session cache), built once per service instance. */
    private volatile SmtpdTls tls;
    private final java.util.concurrent.locks.ReentrantLock tlsLock = new java.util.concurrent.locks.ReentrantLock();

    private SmtpdTls tls(ServiceContext context) {
        SmtpdTls t = tls;
        if (t != null) return t;
        tlsLock.lock();
        try {
            if (tls == null) tls = SmtpdTls.from(context.config(), context.log());
            return tls;
        } finally {
            tlsLock.unlock();
        }
    }

    @Override
    public void start(ServiceContext context) {
        cleanup = lookupCleanup(context);
        rewrite = lookupRewrite(context);
    }

    @Override
    public void serve(SocketChannel connection, ServiceContext context) throws Exception {
        SmtpdSettings settings = settings(context);
        Cleanup c = cleanup != null ? cleanup : lookupCleanup(context);
        if (rewrite == null) rewrite = lookupRewrite(context);
        connection.configureBlocking(true);
        long timeoutMillis = Math.max(1, Math.min(Integer.MAX_VALUE, settings.timeoutSeconds() * 1000));
        connection.socket().setSoTimeout((int) timeoutMillis);
        connection.socket().setTcpNoDelay(true);
        // the socket adaptor's streams honour SO_TIMEOUT, unlike Channels.newInputStream;
        // writes get the same timeout from the watchdog
        try (Watchdog.Alarm alarm = Watchdog.SHARED.closing(connection);
                SocketInput in = new SocketInput(connection, connection.socket().getInputStream())) {
            serve(connection, context, settings, c, timeoutMillis, alarm, in);
        }
    }

    private void serve(SocketChannel connection, ServiceContext context, SmtpdSettings settings, Cleanup c,
            long timeoutMillis, Watchdog.Alarm alarm, SocketInput in) throws Exception {
        SmtpdSession session = new SmtpdSession(settings, c, context.log(), Clock.systemDefaultZone(), in,
                new DeadlineOutputStream(connection.socket().getOutputStream(), alarm, timeoutMillis),
                (InetSocketAddress) connection.getRemoteAddress(), (InetSocketAddress) connection.getLocalAddress(),
                new Restrictions(context.config(), settings.mynetworks(), settings.nullAccessLookupKey(), tables,
                        context.log(), rewrite, dns()));
        session.sasl(sasl(context));
        session.useTls(tls(context), connection.socket(),
                out -> new DeadlineOutputStream(out, alarm, timeoutMillis));
        session.flush(flush(context));
        session.run();
    }

    /** flush(8) for ETRN: the master's seam, or public/flush when no service in this JVM offers it. */
    private Flush flush(ServiceContext context) {
        Flush f = flush;
        if (f != null) return f;
        try {
            f = context.seam(Flush.class);
        } catch (RuntimeException e) {
            f = new FlushClient(context.queueDirectory(), FlushDomains.of(context.config()));
        }
        return flush = f;
    }

    private static TrivialRewrite lookupRewrite(ServiceContext context) {
        try {
            return context.seam(TrivialRewrite.class);
        } catch (RuntimeException e) {
            // no trivial-rewrite: relay and recipient checks defer as a configuration error
            return null;
        }
    }

    private static Cleanup lookupCleanup(ServiceContext context) {
        try {
            return context.seam(Cleanup.class);
        } catch (RuntimeException e) {
            // no cleanup service: every transaction ends in "451 4.3.0 Error: queue file write error"
            return null;
        }
    }

}
