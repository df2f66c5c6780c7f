package org.posthorn.table;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * socketmap:inet:host:port:name and socketmap:unix:/path:name, Sendmail's socket map protocol
 * as Postfix speaks it: the request is the netstring "name key", the reply a netstring "OK
 * value", "NOTFOUND ", or "TEMP", "TIMEOUT", "PERM" with a reason (a lookup error). Keys are
 * sent as given (a pattern table: no folding, no partial keys). A broken connection is
 * retried once, so that a server restart goes unnoticed.
 */
final class SocketmapTable implements Table {
    private static final int TIMEOUT = 100;
    private static final int MAX_REPLY = 100_000;

    private final String spec;
    private final String mapName;
    private final ClientConnections server;

    private SocketmapTable(String spec, String mapName, ClientConnections server) {
        this.spec = spec;
        this.mapName = mapName;
        this.server = server;
    }

    static SocketmapTable open(String spec, String name) throws TableException {
        int colon = name.lastIndexOf(':');
        if (colon <= 0 || colon == name.length() - 1 || !(name.startsWith("inet:") || name.startsWith("unix:"))) {
            throw new TableException("socketmap requires server:socketmap argument");
        }
        return new SocketmapTable(spec, name.substring(colon + 1),
                new ClientConnections(name.substring(0, colon), TIMEOUT, 10, 100));
    }

    @Override
    public String name() {
        return spec;
    }

    @Override
    public boolean fixedKeys() {
        return false;
    }

    @Override
    public String lookup(String key) throws TableException {
        String reply = null;
        for (int attempt = 0; reply == null; attempt++) {
            ClientConnections.Conn c;
            try {
                c = server.get();
            } catch (IOException e) {
                TableFactory.warn("table " + spec + " lookup error: " + e.getMessage());
                throw new TableException("table " + spec + ": query error: " + e.getMessage(), e);
            }
            try {
                writeNetstring(c.out, mapName + " " + key);
                reply = readNetstring(c.in);
                server.release(c);
            } catch (EOFException e) {
                c.close();
                if (attempt > 0) throw failure("unexpected disconnect", e);
            } catch (SocketTimeoutException e) {
                c.close();
                throw failure("time limit exceeded", e);
            } catch (IOException e) {
                c.close();
                throw failure(e.getMessage(), e);
            }
        }
        int sp = reply.indexOf(' ');
        String status = sp < 0 ? reply : reply.substring(0, sp);
        String payload = sp < 0 ? "" : reply.substring(sp + 1);
        if (status.equals("OK")) return payload;
        if (status.equals("NOTFOUND")) return null;
        String kind = switch (status) {
            case "TEMP" -> "temporary";
            case "TIMEOUT" -> "timeout";
            case "PERM" -> "permanent";
            default -> "unknown";
        };
        String reason = payload.stripLeading();
        if (reason.length() > 200) reason = reason.substring(0, 200);
        TableFactory.warn(spec + " socketmap server " + kind + " error" + (reason.isEmpty() ? "" : ": " + reason));
        throw new TableException("table " + spec + ": query error");
    }

    private TableException failure(String why, IOException cause) {
        TableFactory.warn("table " + spec + " lookup error: " + why);
        return new TableException("table " + spec + ": query error: " + why, cause);
    }

    static void writeNetstring(OutputStream out, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.write((b.length + ":").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write(',');
        out.flush();
    }

    /** One netstring "LEN:DATA," of at most MAX_REPLY bytes. */
    static String readNetstring(InputStream in) throws IOException {
        long len = 0;
        int digits = 0;
        for (int c; (c = in.read()) != ':'; digits++) {
            if (c < 0) throw new EOFException();
            if (c < '0' || c > '9' || digits > 9) throw new IOException("netstring format error");
            len = len * 10 + (c - '0');
        }
        if (digits == 0) throw new IOException("netstring format error");
        if (len > MAX_REPLY) throw new IOException("netstring size exceeds limit");
        byte[] data = in.readNBytes((int) len);
        if (data.length < len) throw new EOFException();
        int end = in.read();
        if (end < 0) throw new EOFException();
        if (end != ',') throw new IOException("netstring format error");
        return new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.close();
    }
}
