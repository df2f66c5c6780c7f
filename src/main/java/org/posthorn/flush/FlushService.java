package org.posthorn.flush;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.posthorn.config.Config;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.rewrite.AttributeStream;

/**
 * flush(8) as a master.cf service ({@code flush unix n - n 1000? 0 flush}): offers the
 * {@link Flush} seam to smtpd (ETRN) and qmgr (deferred mail), answers Postfix's flush
 * protocol on public/flush for postqueue -s/-i (docs/public-sockets.md), and refreshes old
 * logs on the row's wakeup timer.
 */
public final class FlushService implements Service {
    /** The protocol name the server announces. */
    public static final String PROTOCOL = "queue_flush_protocol";
    /** How long a client may take to send its request. */
    private static final int REQUEST_TIMEOUT_MILLIS = 60_000;

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flush-request-timeout");
        t.setDaemon(true);
        return t;
    });

    private volatile FlushLogs logs;

    /** The flush logic for a configuration: what the service and stand-alone users run. */
    public static FlushLogs logs(Config config, org.posthorn.log.Log log) {
        QueueDirectory queue = QueueDirectory.of(config);
        return new FlushLogs(queue, FlushDomains.of(config), config.getTime("fast_flush_refresh_time"),
                config.getTime("fast_flush_purge_time"), Clock.systemUTC(), log,
                FlushLogs.qmgrTrigger(queue.root(), log));
    }

    @Override
    public void start(ServiceContext context) {
        FlushLogs l = logs(context.config(), context.log());
        logs = l;
        context.register(Flush.class, l);
    }

    @Override
    public void serve(SocketChannel connection, ServiceContext context) throws IOException {
        // UNIX-domain channels have no SO_TIMEOUT: a client that sends nothing is cut off
        ScheduledFuture<?> deadline = TIMER.schedule(() -> {
            try {
                connection.close();
            } catch (IOException ignored) {
                // closed already
            }
        }, REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        try {
            serve(connection, context.log());
        } finally {
            deadline.cancel(false);
        }
    }

    private void serve(SocketChannel connection, org.posthorn.log.Log log) throws IOException {
        FlushLogs l = logs;
        InputStream in = Channels.newInputStream(connection);
        OutputStream out = Channels.newOutputStream(connection);
        AttributeStream attrs = new AttributeStream(in, out);
        attrs.write("protocol", PROTOCOL);
        Map<String, String> request;
        try {
            request = attrs.read();
        } catch (IOException e) {
            log.warning("flush: bad request: %s", e.getMessage());
            return;
        }
        if (request == null) return;
        String verb = request.getOrDefault("request", "");
        Flush.Status status = switch (verb) {
            case "add" -> has(request, "site", "queue_id") ? l.add(request.get("site"), request.get("queue_id")) : Flush.Status.BAD;
            case "send_site" -> has(request, "site") ? l.sendSite(request.get("site")) : Flush.Status.BAD;
            case "send_file" -> has(request, "queue_id") ? l.sendFile(request.get("queue_id")) : Flush.Status.BAD;
            case "rfrsh", "purge" -> {
                // answered at once; the work completes in the background, as with Postfix
                attrs.write("status", "0");
                if (verb.equals("purge")) l.purge();
                else l.refresh();
                yield null;
            }
            default -> Flush.Status.BAD;
        };
        if (status != null) attrs.write("status", String.valueOf(status.code()));
    }

    private static boolean has(Map<String, String> request, String... names) {
        for (String n : names) if (!request.containsKey(n)) return false;
        return request.size() == names.length + 1; // Postfix's strict scan: nothing unexpected
    }

    @Override
    public void wakeup(ServiceContext context) {
        FlushLogs l = logs;
        if (l != null) l.refresh();
    }
}
