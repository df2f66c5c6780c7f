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
        lingerClose(connection);
    }

    /**
     * Sends FIN and reads away a little of what the client still sends (a refused packet):
     * closing with unread input would reset the connection and could destroy our reply.
     */
    private static void lingerClose(SocketChannel connection) {
        try {
            connection.shutdownOutput();
            connection.socket().setSoTimeout(1000);
            java.io.InputStream in = connection.socket().getInputStream();
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while (total < 1 << 20 && (n = in.read(buf)) > 0) total += n;
        } catch (java.io.IOException e) {
            // the client is gone or slow: close anyway
        }
    }

    private static Cleanup cleanup(ServiceContext context) {
        try {
            return context.seam(Cleanup.class);
        } catch (RuntimeException e) {
            return null; // no cleanup service: every message gets "Z Error: queue file write error"
        }
    }
}
