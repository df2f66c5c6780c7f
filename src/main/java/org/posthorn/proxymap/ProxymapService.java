package org.posthorn.proxymap;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.Map;
import org.posthorn.log.Log;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.rewrite.AttributeStream;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;
import org.posthorn.table.TableFactory;

/**
 * proxymap(8) and, run under the service name proxywrite, its writing side. In the master it
 * offers the {@link Proxymap} seam and routes every proxy: table of every service through it;
 * on its private/ socket it answers commands (postmap -q KEY proxy:type:name) in Postfix's
 * proxymap protocol: request=open|lookup|update|delete with table, flags, key, value
 * attributes, answered with a status (0 found, 1 not found, 2 retry, 3 bad, 4 denied).
 */
public final class ProxymapService implements Service {
    private ProxyTables tables;
    private Log log;

    @Override
    public void start(ServiceContext context) throws Exception {
        String name = context.entry().name();
        String readName = context.config().get("proxymap_service_name");
        String writeName = context.config().get("proxywrite_service_name");
        boolean writer = name.equals(writeName);
        if (!writer && !name.equals(readName)) {
            throw new IllegalStateException("service name must be one of " + readName + " or " + writeName);
        }
        log = context.log();
        tables = ProxyTables.of(writer, context.config(), log);
        SharedProxymap.INSTANCE.install(tables);
        context.register(Proxymap.class, SharedProxymap.INSTANCE);
        TableFactory.setProxy(SharedProxymap.INSTANCE);
    }

    @Override
    public void serve(SocketChannel connection, ServiceContext context) throws IOException {
        AttributeStream stream = new AttributeStream(new BufferedInputStream(Channels.newInputStream(connection)),
                new BufferedOutputStream(Channels.newOutputStream(connection)));
        try {
            Map<String, String> request;
            while ((request = stream.read()) != null) answer(request, stream);
        } catch (EOFException e) {
            // the client went away mid-request: nothing to answer
        }
    }

    private void answer(Map<String, String> r, AttributeStream out) throws IOException {
        String request = r.getOrDefault("request", "");
        String table = r.get("table");
        int flags = flags(r.get("flags"));
        String key = r.get("key");
        if (table == null || flags < 0 || !request.equals("open") && key == null
                || request.equals("update") && r.get("value") == null) {
            if (!request.matches("open|lookup|update|delete")) log.warning("unrecognized request: \"%s\", ignored", request);
            out.write("status", Integer.toString(ProxyStatus.BAD));
            return;
        }
        if ((request.equals("update") || request.equals("delete")) && !tables.writer()) {
            log.warning("refusing %s %s request on non-proxywrite service", table, request);
            out.write("status", Integer.toString(ProxyStatus.DENY));
            return;
        }
        int status;
        String value = "";
        try {
            Table t = tables.find(table, (flags & ProxyStatus.FOLD_FIX) != 0);
            switch (request) {
                case "open" -> {
                    out.write("status", Integer.toString(ProxyStatus.OK), "flags", Integer.toString(flags));
                    return;
                }
                case "lookup" -> {
                    String v = t.lookup(key);
                    status = v == null ? ProxyStatus.NOKEY : ProxyStatus.OK;
                    value = v == null ? "" : v;
                }
                case "update" -> {
                    t.update(key, r.get("value"));
                    status = ProxyStatus.OK;
                }
                default -> status = t.delete(key) ? ProxyStatus.OK : ProxyStatus.NOKEY;
            }
        } catch (ProxyTables.Denied e) {
            status = ProxyStatus.DENY;
        } catch (TableException e) {
            log.warning("%s", e.getMessage());
            status = ProxyStatus.RETRY;
        }
        if (request.equals("lookup")) out.write("status", Integer.toString(status), "value", value);
        else if (request.equals("open")) out.write("status", Integer.toString(status), "flags", "0");
        else out.write("status", Integer.toString(status));
    }

    private static int flags(String s) {
        if (s == null) return -1;
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void stop() {
        ProxyTables t = tables;
        if (t == null) return;
        if (SharedProxymap.INSTANCE.withdraw(t)) TableFactory.setProxy(null);
        t.close();
    }
}
