package org.posthorn.showq;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;

/**
 * showq(8) on public/showq: streams the queue listing to each client in the showq
 * protocol (docs/public-sockets.md), one message at a time, behind mailq and postqueue -p/-j.
 */
public final class ShowqService implements Service {
    @Override
    public void serve(SocketChannel connection, ServiceContext context) throws IOException {
        try {
            reply(connection, context.config(), context.log());
        } catch (IOException e) {
            // the client went away (mailq | head): nothing to report, as Postfix's showq
            if (!connection.isOpen() || isBrokenPipe(e)) return;
            throw e;
        }
    }

    /** Writes the greeting, one record per queued message, and the end of the listing. */
    public static void reply(SocketChannel connection, Config config, Log log) throws IOException {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(connection), 65536);
        ShowqProtocol.writeGreeting(out);
        QueueLister.of(config, log).list(m -> ShowqProtocol.writeMessage(out, m));
        ShowqProtocol.writeEnd(out);
        out.flush();
    }

    private static boolean isBrokenPipe(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("Broken pipe") || m.contains("Connection reset"));
    }
}
