package org.posthorn.flush;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import org.posthorn.master.PublicSocket;
import org.posthorn.rewrite.AttributeStream;

/**
 * The client side of public/flush (Postfix's flush_clnt), for commands: each request is one
 * connection, greeting, request, status reply. Site requests for destinations outside
 * fast_flush_domains are refused here without asking the server, as Postfix's client does.
 */
public final class FlushClient implements Flush {
    private final Path queueDirectory;
    private final FlushDomains domains;

    public FlushClient(Path queueDirectory, FlushDomains domains) {
        this.queueDirectory = queueDirectory;
        this.domains = domains;
    }

    @Override
    public Status add(String site, String queueId) {
        Status eligible = domains.check(site);
        return eligible != Status.OK ? eligible : ask("request", "add", "site", site, "queue_id", queueId);
    }

    @Override
    public Status sendSite(String site) {
        Status eligible = domains.check(site);
        return eligible != Status.OK ? eligible : ask("request", "send_site", "site", site);
    }

    @Override
    public Status sendFile(String queueId) {
        return ask("request", "send_file", "queue_id", queueId);
    }

    @Override
    public Status refresh() {
        return ask("request", "rfrsh");
    }

    @Override
    public Status purge() {
        return ask("request", "purge");
    }

    private Status ask(String... request) {
        try (SocketChannel ch = PublicSocket.connect(queueDirectory, "flush")) {
            AttributeStream attrs = new AttributeStream(Channels.newInputStream(ch), Channels.newOutputStream(ch));
            Map<String, String> greeting = attrs.read();
            if (greeting == null || !FlushService.PROTOCOL.equals(greeting.get("protocol"))) return Status.FAIL;
            attrs.write(request);
            Map<String, String> reply = attrs.read();
            if (reply == null || !reply.containsKey("status")) return Status.FAIL;
            return Status.of(Integer.parseInt(reply.get("status").strip()));
        } catch (IOException | NumberFormatException e) {
            return Status.FAIL;
        }
    }
}
