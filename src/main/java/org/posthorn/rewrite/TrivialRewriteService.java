package org.posthorn.rewrite;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.Map;
import org.posthorn.log.Log;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;

/**
 * trivial-rewrite(8) as a master.cf service ("rewrite unix - - n - - trivial-rewrite"):
 * builds the {@link TrivialRewrite} seam from the row's configuration when started,
 * registers it for the other services ({@code context.seam(TrivialRewrite.class)}), and
 * answers Postfix's own protocol on the row's socket (private/rewrite): the server
 * announces "protocol=trivial_rewrite_protocol"; a request is "request=rewrite, rule=local
 * or remote, address=..." answered with "flags, address", or "request=resolve" (or
 * "verify") with "sender, address" answered with "flags, transport, nexthop, recipient,
 * flags" (the first flags are server flags, always 0).
 */
public final class TrivialRewriteService implements Service {
    private volatile TrivialRewrite rewrite;

    @Override
    public void start(ServiceContext context) throws Exception {
        rewrite = TrivialRewriter.create(context.config(), context.log());
        context.register(TrivialRewrite.class, rewrite);
    }

    @Override
    public void serve(SocketChannel connection, ServiceContext context) throws IOException {
        serve(Channels.newInputStream(connection), Channels.newOutputStream(connection), rewrite, context.log());
    }

    /** Serves requests until the client disconnects or sends something we do not understand. */
    static void serve(InputStream rawIn, OutputStream out, TrivialRewrite rewrite, Log log) throws IOException {
        AttributeStream s = new AttributeStream(new BufferedInputStream(rawIn), out);
        s.write("protocol", "trivial_rewrite_protocol");
        Map<String, String> req;
        while ((req = s.read()) != null) {
            String request = req.getOrDefault("request", "");
            switch (request) {
                case "rewrite" -> {
                    String rule = req.get("rule");
                    String address = req.get("address");
                    RewriteContext ctx = "local".equals(rule) ? RewriteContext.LOCAL
                            : "remote".equals(rule) ? RewriteContext.REMOTE : null;
                    if (ctx == null || address == null) {
                        log.warning("unknown context: %s", rule);
                        return;
                    }
                    if (address.isEmpty()) log.warning("rewrite_addr: null address");
                    s.write("flags", "0", "address", rewrite.rewrite(ctx, address));
                }
                case "resolve", "verify" -> {
                    String sender = req.get("sender");
                    String address = req.get("address");
                    if (sender == null || address == null) return;
                    Resolution r = request.equals("resolve") ? rewrite.resolve(sender, address)
                            : rewrite.resolveForVerify(sender, address);
                    s.write("flags", "0", "transport", r.transport(), "nexthop", r.nexthop(),
                            "recipient", r.recipient(), "flags", Integer.toString(r.flags()));
                }
                default -> {
                    log.warning("bad command %.30s", request);
                    return;
                }
            }
        }
    }
}
