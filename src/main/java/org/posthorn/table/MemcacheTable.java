package org.posthorn.table;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.posthorn.config.Config;

/**
 * memcache:/file.cf (memcache_table(5)): a cache shared between hosts in a memcached server,
 * with an optional persistent "backup" table. A lookup asks memcached first and on a miss the
 * backup, copying what the backup found into memcached; updates and deletes go to memcached
 * and then to the backup. The memcached key is the lookup key through key_format; keys with
 * white space or outside the "domain" list are skipped.
 */
final class MemcacheTable extends FoldedTable {
    private final String file;
    private final ClientConnections server;
    private final Table backup;
    private final DbTemplate keyFormat;
    private final boolean plainKey;
    private final int ttl;
    private final int flags;
    private final int maxTries;
    private final int retryPause;
    private final int maxLine;
    private final int maxData;
    private final Config config;
    private final Consumer<String> warn;

    private MemcacheTable(String spec, KeyFold fold, String file, DbConfig cf, Table backup, Config config,
                          Consumer<String> warn) throws TableException {
        super(spec, fold);
        this.file = file;
        String format = cf.get("key_format", "%s");
        this.keyFormat = new DbTemplate(spec, format, null, cf.get("domain", ""), warn);
        this.plainKey = format.equals("%s");
        this.ttl = cf.getInt("ttl", 3600, 0);
        this.flags = cf.getInt("flags", 0, 0);
        this.retryPause = cf.getInt("retry_pause", 1, 1);
        this.maxTries = cf.getInt("max_try", 2, 1);
        this.maxLine = cf.getInt("line_size_limit", 1024, 1);
        this.maxData = cf.getInt("data_size_limit", 10240, 1);
        int timeout = cf.getInt("timeout", 2, 0);
        this.server = new ClientConnections(cf.get("memcache", "inet:localhost:11211"), Math.max(timeout, 1), 3600, 3600 * 24);
        this.backup = backup;
        this.config = config;
        this.warn = warn;
    }

    static MemcacheTable open(String spec, String file, KeyFold fold, Config config, Consumer<String> warn)
            throws TableException {
        DbConfig cf = DbConfig.read(file);
        String backupSpec = cf.get("backup", null);
        Table backup = backupSpec == null ? null : TableFactory.openUncached(backupSpec, config, fold != KeyFold.NONE);
        return new MemcacheTable(spec, fold, file, cf, backup, config, warn);
    }

    /** The memcached key for a lookup key, or null (logged when {@code noisy}) when it cannot have one. */
    private String cacheKey(String name, String operation, boolean noisy) throws TableException {
        String why = null;
        String key = null;
        if (name.isEmpty()) {
            why = "empty lookup key";
        } else if (!keyFormat.domainAllows(name, config)) {
            why = "domain mismatch";
        } else {
            key = plainKey ? name : keyFormat.accepts(name) ? keyFormat.query(name, s -> s) : null;
            if (key == null || key.isEmpty()) {
                why = "empty lookup key expansion";
            } else {
                for (int i = 0; i < key.length() && why == null; i++) {
                    char c = key.charAt(i);
                    if (c < 0x80 && Character.isWhitespace(c)) why = "name contains space";
                }
            }
        }
        if (why == null) return key;
        if (noisy) warn.accept(file + ": skipping " + operation + " for name \"" + name + "\": " + why);
        return null;
    }

    @Override
    String get(String name) throws TableException {
        String key = cacheKey(name, "lookup", false);
        if (key == null) return null;
        String value = fetch(key);
        if (value == null && backup != null) {
            value = backup.lookup(name);
            if (value != null) store(key, value);
        }
        return value;
    }

    @Override
    public void update(String name, String value) throws TableException {
        String key = cacheKey(fold.apply(name), "update", true);
        if (key == null) return;
        store(key, value);
        if (backup != null) backup.update(name, value);
    }

    @Override
    public boolean delete(String name) throws TableException {
        String key = cacheKey(fold.apply(name), "delete", false);
        if (key == null) return false;
        boolean deleted = remove(key);
        if (backup != null) deleted = backup.delete(name);
        return deleted;
    }

    @Override
    public List<Map.Entry<String, String>> entries() throws TableException {
        if (backup == null) {
            warn.accept("database memcache:" + file + ": first/next support requires backup database");
            return List.of();
        }
        return backup.entries();
    }

    /** One request/reply exchange with retries; the reply handler returns the answer or throws IOException for a bad reply. */
    private interface Exchange<T> {
        T run(ClientConnections.Conn c) throws IOException;
    }

    private <T> T exchange(Exchange<T> exchange) throws TableException {
        for (int count = 0; count < maxTries; count++) {
            if (count > 0) pause();
            ClientConnections.Conn c;
            try {
                c = server.get();
            } catch (IOException e) {
                break;
            }
            try {
                T result = exchange.run(c);
                server.release(c);
                return result;
            } catch (IOException e) {
                c.close();
                if (count > 0) warn.accept("database memcache:" + file + ": " + e.getMessage());
            }
        }
        throw new TableException("table memcache:" + file + ": query error: Application error");
    }

    private String fetch(String key) throws TableException {
        return exchange(c -> {
            send(c, "get " + key);
            String line = readLine(c.in);
            if (line.equals("END")) return Found.NONE;
            String[] f = line.split(" ");
            long todo;
            try {
                todo = f.length == 4 && f[0].equals("VALUE") ? Long.parseLong(f[3]) : -1;
            } catch (NumberFormatException e) {
                todo = -1;
            }
            if (todo < 0 || todo > maxData) throw new IOException("unexpected memcache server reply: " + cut(line));
            byte[] data = c.in.readNBytes((int) todo);
            if (data.length < todo || !readLine(c.in).isEmpty()) throw new IOException("EOF receiving memcache server reply");
            if (!readLine(c.in).equals("END")) throw new IOException("unexpected memcache server reply");
            return new Found(new String(data, StandardCharsets.UTF_8));
        }).value();
    }

    private void store(String key, String value) throws TableException {
        byte[] data = value.getBytes(StandardCharsets.UTF_8);
        if (data.length > maxData) {
            warn.accept("database memcache:" + file + ": data for key " + key + " is too long (data_size_limit="
                    + maxData + ") -- not stored");
            return;
        }
        exchange(c -> {
            send(c, "set " + key + " " + flags + " " + ttl + " " + data.length);
            c.out.write(data);
            c.out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            String line = readLine(c.in);
            if (!line.equals("STORED")) throw new IOException("update failed: " + cut(line));
            return Boolean.TRUE;
        });
    }

    private boolean remove(String key) throws TableException {
        return exchange(c -> {
            send(c, "delete " + key);
            String line = readLine(c.in);
            if (line.equals("DELETED")) return Boolean.TRUE;
            if (line.equals("NOT_FOUND")) return Boolean.FALSE;
            throw new IOException("delete failed: " + cut(line));
        });
    }

    /** A value or its absence, so that "not found" is not mistaken for a failed exchange. */
    private record Found(String value) {
        static final Found NONE = new Found(null);
    }

    private static void send(ClientConnections.Conn c, String line) throws IOException {
        c.out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        c.out.flush();
    }

    /** A reply line without CR LF, at most line_size_limit bytes. */
    private String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("I/O error: unexpected EOF");
            if (b.size() >= maxLine) throw new IOException("I/O error: line too long");
            b.write(c);
        }
        String s = b.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static String cut(String s) {
        return s.length() > 30 ? s.substring(0, 30) : s;
    }

    private void pause() {
        try {
            Thread.sleep(retryPause * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.close();
        if (backup != null) backup.close();
    }
}
