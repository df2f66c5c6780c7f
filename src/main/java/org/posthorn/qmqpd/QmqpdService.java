package org.posthorn.qmqpd;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;

/** qmqpd(8) as a master service: one {@link QmqpdSession} (one message) per accepted connection. */
public final class QmqpdService implements Service {
    @Override
    public void serve(SocketChannel connection, ServiceContext context) throws Exception {
        QmqpdSettings settings = QmqpdSettings.from(context.config());
        connection.configureBlocking(true);
        connection.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeoutSeconds() * 1000));
        // the socket adaptor's streams honour SO_TIMEOUT, unlike Channels.newInputStream
        new QmqpdSession(settings, ClientList.of(context.config(), "qmqpd_authorized_clients"), cleanup(context),
                context.log(), Clock.systemDefaultZone(),
                connection.socket().getInputStream(), connection.socket().getOutputStream(),
                (InetSocketAddress) connection.getRemoteAddress(), (InetSocketAddress) connection.getLocalAddress()).run();
    }

    private static Cleanup cleanup(ServiceContext context) {
        try {
            return context.seam(Cleanup.class);
        } catch (RuntimeException e) {
            return null; // no cleanup service: every message gets "Z Error: queue file write error"
        }
    }
}
