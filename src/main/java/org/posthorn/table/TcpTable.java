package org.posthorn.table;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * tcp:host:port (tcp_table(5)): one request line "get KEY" and one reply line "200 VALUE"
 * (found), "500 ..." (not found) or "400 ..." (lookup error), key and value %XX-encoded.
 * Connections are reused; a failed connection is retried up to ten times a second apart, as
 * Postfix does. Keys are sent as given (a pattern table).
 */
final class TcpTable implements Table {
    private static final int MAX_TRIES = 10;
    private static final int TIMEOUT = 100;
    private static final int MAX_LINE = 4096;

    private final String spec;
    private final String endpoint;
    private final ClientConnections server;
    private final long retryPauseMillis;

    TcpTable(String spec, String endpoint, long retryPauseMillis) {
        this.spec = spec;
        this.endpoint = endpoint;
        this.server = new ClientConnections(endpoint, TIMEOUT, 60, 3600);
        this.retryPauseMillis = retryPauseMillis;
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
        for (int tries = 0; reply == null; ) {
            ClientConnections.Conn c = null;
            try {
                c = server.get();
            } catch (IOException e) {
                TableFactory.warn("connect to TCP map " + endpoint + ": " + e.getMessage());
            }
            if (c != null) {
                try {
                    c.out.write(("get " + quote(key) + "\n").getBytes(StandardCharsets.US_ASCII));
                    c.out.flush();
                    reply = readLine(c.in);
                } catch (IOException e) {
                    TableFactory.warn("read TCP map reply from " + endpoint + ": " + e.getMessage());
                }
                if (reply == null) c.close();
            }
            if (reply != null) {
                return answer(reply, c);
            }
            if (++tries >= MAX_TRIES) throw new TableException("table " + spec + ": query error: Application error");
            try {
                Thread.sleep(retryPauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TableException("table " + spec + ": query error: interrupted", e);
            }
        }
        return null;
    }

    private String answer(String reply, ClientConnections.Conn c) throws TableException {
        String value = reply.length() >= 4 && isDigit(reply, 0) && isDigit(reply, 1) && isDigit(reply, 2)
                && Character.isWhitespace(reply.charAt(3)) ? unquote(reply.substring(4)) : null;
        if (value == null) {
            c.close();
            TableFactory.warn("read TCP map reply from " + endpoint + ": malformed reply: " + printable(reply));
            throw new TableException("table " + spec + ": query error: Application error");
        }
        switch (reply.charAt(0)) {
            case '2' -> {
                server.release(c);
                return value;
            }
            case '5' -> {
                server.release(c);
                return null;
            }
            case '4' -> {
                c.close();
                throw new TableException("table " + spec + ": query error: Application error");
            }
            default -> {
                c.close();
                TableFactory.warn("read TCP map reply from " + endpoint + ": bad status code: " + printable(reply));
                throw new TableException("table " + spec + ": query error: Application error");
            }
        }
    }

    private static boolean isDigit(String s, int i) {
        return s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }

    /** One reply line without its newline; an IOException for end of stream or a line over the limit. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("unexpected EOF");
            if (b.size() >= MAX_LINE) throw new IOException("text longer than " + MAX_LINE);
            b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** Postfix's hex_quote: printable ASCII other than '%' and white space as is, every other byte as %XX. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c != '%' && c > ' ' && c < 0x7f) out.append((char) c);
            else out.append('%').append(String.format("%02X", c));
        }
        return out.toString();
    }

    /** Postfix's hex_unquote of a reply (bytes as read, ISO-8859-1), decoded as UTF-8; null when malformed. */
    static String unquote(String s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                b.write(c);
                continue;
            }
            if (i + 2 >= s.length()) return null;
            int hi = Character.digit(s.charAt(i + 1), 16);
            int lo = Character.digit(s.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) return null;
            b.write(hi * 16 + lo);
            i += 2;
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 100; i++) {
            char c = s.charAt(i);
            out.append(c >= ' ' && c < 0x7f ? c : '_');
        }
        return out.toString();
    }

    @Override
    public void close() {
        server.close();
    }
}
