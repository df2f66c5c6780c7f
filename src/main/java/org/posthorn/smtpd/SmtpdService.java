package org.posthorn.smtpd;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;

/** smtpd(8) as a master service: one {@link SmtpdSession} per accepted connection. */
public final class SmtpdService implements Service {
    private volatile Cleanup cleanup;

    @Override
    public void start(ServiceContext context) {
        cleanup = lookupCleanup(context);
    }

    @Override
    public void serve(SocketChannel connection, ServiceContext context) throws Exception {
        SmtpdSettings settings = SmtpdSettings.from(context.config());
        Cleanup c = cleanup != null ? cleanup : lookupCleanup(context);
        connection.configureBlocking(true);
        connection.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeoutSeconds() * 1000));
        connection.socket().setTcpNoDelay(true);
        // the socket adaptor's streams honour SO_TIMEOUT, unlike Channels.newInputStream
        SmtpdSession session = new SmtpdSession(settings, c, context.log(), Clock.systemDefaultZone(),
                connection.socket().getInputStream(), connection.socket().getOutputStream(),
                (InetSocketAddress) connection.getRemoteAddress(), (InetSocketAddress) connection.getLocalAddress());
        session.run();
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
