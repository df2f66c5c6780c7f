package org.posthorn.table;

import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The database servers of one SQL table ("hosts = ..."), tried in random order with failover
 * as Postfix does: a server that fails is left alone for retry_interval seconds, a lone server
 * is tried twice. Each server keeps a few idle connections for reuse (closed after
 * idle_interval); at most {@link #MAX_CONNECTIONS} queries run at once per table.
 */
final class SqlHosts implements AutoCloseable {
    static final int MAX_CONNECTIONS = 8;
    private static final int MAX_IDLE = 4;

    /** The answer of one query: the joined value, or null when the expansion limit was exceeded. */
    record Result(String value) {
    }

    /** Reads the rows of a query on a connection. */
    interface Reader {
        Result read(Connection conn, String sql) throws SQLException;
    }

    private record Idle(Connection conn, long since) {
    }

    /** One "hosts" entry as written, with its JDBC URL and its state. */
    private final class Host {
        final String label;
        final String url;
        final Properties properties;
        final ArrayDeque<Idle> idle = new ArrayDeque<>();
        long deadUntil;

        Host(String label, String url, Properties properties) {
            this.label = label;
            this.url = url;
            this.properties = properties;
        }
    }

    private final SqlDialect dialect;
    private final String file;
    private final List<Host> hosts;
    private final long retryMillis;
    private final long idleMillis;
    private final Consumer<String> warn;
    private final ReentrantLock lock = new ReentrantLock();
    private final Semaphore permits = new Semaphore(MAX_CONNECTIONS);

    private SqlHosts(SqlDialect dialect, String file, List<Host> hosts, long retryMillis, long idleMillis, Consumer<String> warn) {
        this.dialect = dialect;
        this.file = file;
        this.hosts = hosts;
        this.retryMillis = retryMillis;
        this.idleMillis = idleMillis;
        this.warn = warn;
    }

    static SqlHosts of(SqlDialect dialect, DbConfig cf, Consumer<String> warn) throws TableException {
        String user = cf.get("user", "");
        String password = cf.get("password", "");
        String dbname = cf.get("dbname", "");
        int connectTimeout = dialect == SqlDialect.MYSQL ? cf.getInt("connect_timeout", 10, 1) : 10;
        int readTimeout = dialect == SqlDialect.MYSQL ? cf.getInt("read_timeout", 60, 1) : 60;
        List<String> names = new ArrayList<>(org.posthorn.config.Config.splitList(cf.get("hosts", "")));
        if (names.isEmpty()) names.add("localhost");
        Properties common = dialect.properties(user, password, connectTimeout, readTimeout);
        SqlHosts set = new SqlHosts(dialect, cf.file(), new ArrayList<>(), cf.getInt("retry_interval", 60, 1) * 1000L,
                cf.getInt("idle_interval", 60, 1) * 1000L, warn);
        boolean nonUri = false;
        for (String name : names) {
            Properties p = new Properties();
            p.putAll(common);
            String url;
            if (dialect == SqlDialect.PGSQL && (name.startsWith("postgresql://") || name.startsWith("postgres://"))) {
                url = uriUrl(name, p, cf.file());
            } else {
                nonUri = true;
                url = hostUrl(dialect, name, dbname, p);
            }
            set.hosts.add(set.new Host(name, url, p));
        }
        if (nonUri && dbname.isEmpty()) {
            throw new TableException(cf.file() + ": bad string length 0 < 1: dbname = ");
        }
        return set;
    }

    /** host, host:port, inet:host:port, unix:/path (a directory for PostgreSQL, the socket for MySQL). */
    private static String hostUrl(SqlDialect dialect, String name, String dbname, Properties p) {
        String n = name.startsWith("inet:") ? name.substring(5) : name;
        if (n.startsWith("unix:") || n.startsWith("/")) {
            String path = n.startsWith("unix:") ? n.substring(5) : n;
            if (dialect == SqlDialect.PGSQL) {
                // libpq takes a directory and finds .s.PGSQL.5432 in it
                p.setProperty("socketFactory", UnixSocketFactory.class.getName());
                p.setProperty("socketFactoryArg", path + "/.s.PGSQL." + dialect.defaultPort());
                p.setProperty("sslmode", "disable");
                p.setProperty("gssEncMode", "disable");
            } else {
                p.setProperty("socketFactory", MariaDbSocketFactory.class.getName());
                p.setProperty(MariaDbSocketFactory.PATH_OPTION, path);
            }
            return dialect.url("localhost", dialect.defaultPort(), dbname);
        }
        String host = n;
        int port = dialect.defaultPort();
        int colon = n.lastIndexOf(':');
        if (colon > 0 && n.indexOf(':') == colon) {
            host = n.substring(0, colon);
            try {
                port = Integer.parseInt(n.substring(colon + 1));
            } catch (NumberFormatException e) {
                // Postfix hands a service name to the resolver; JDBC wants a number
                port = dialect.defaultPort();
            }
        }
        return dialect.url(host, port, dbname);
    }

    /** A libpq connection URI (postgresql://user:secret@host:port/db?options) as a pgjdbc URL; dbname is ignored. */
    private static String uriUrl(String uri, Properties p, String file) throws TableException {
        try {
            URI u = new URI(uri);
            String info = u.getRawUserInfo();
            if (info != null) {
                int colon = info.indexOf(':');
                p.setProperty("user", decode(colon < 0 ? info : info.substring(0, colon)));
                if (colon >= 0) p.setProperty("password", decode(info.substring(colon + 1)));
            }
            String host = u.getHost() == null ? "localhost" : u.getHost();
            int port = u.getPort() < 0 ? SqlDialect.PGSQL.defaultPort() : u.getPort();
            String db = u.getRawPath() == null || u.getRawPath().length() <= 1 ? "" : u.getRawPath().substring(1);
            String url = "jdbc:postgresql://" + host + ":" + port + "/" + db;
            return u.getRawQuery() == null ? url : url + "?" + u.getRawQuery();
        } catch (URISyntaxException e) {
            throw new TableException(file + ": bad PostgreSQL connection URI: " + uri);
        }
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Runs one query on the first server that answers; null when none did (each failure was
     * warned about). {@code sql} builds the query text on the connection (quoting may depend on it).
     */
    Result query(Function<Connection, String> sql, Reader reader) throws TableException {
        try {
            if (!permits.tryAcquire(60, TimeUnit.SECONDS)) return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TableException("interrupted while waiting for a database connection", e);
        }
        try {
            for (Host h : candidates()) {
                Idle idle = takeIdle(h);
                if (idle != null) {
                    // a connection the server may have closed meanwhile: on failure, try a new one
                    try {
                        return run(h, idle.conn(), sql, reader);
                    } catch (SQLException e) {
                        closeQuietly(idle.conn());
                    }
                }
                Connection conn = connect(h);
                if (conn == null) continue;
                try {
                    return run(h, conn, sql, reader);
                } catch (SQLException e) {
                    warn.accept(queryFailure(h, e));
                    closeQuietly(conn);
                    down(h);
                }
            }
            return null;
        } finally {
            permits.release();
        }
    }

    private String queryFailure(Host h, SQLException e) {
        String m = oneLine(e.getMessage());
        return dialect == SqlDialect.PGSQL
                ? "pgsql query failed: fatal error from host " + h.label + ": " + m
                : "mysql:" + file + ": query failed: " + m.replaceFirst("^\\(conn=\\d+\\) ", "");
    }

    /** Servers to try: those with idle connections first, then the others not recently failed, each group shuffled. */
    private List<Host> candidates() {
        long now = System.currentTimeMillis();
        List<Host> active = new ArrayList<>();
        List<Host> rest = new ArrayList<>();
        lock.lock();
        try {
            for (Host h : hosts) {
                if (!h.idle.isEmpty()) active.add(h);
                else if (h.deadUntil <= now) rest.add(h);
            }
        } finally {
            lock.unlock();
        }
        Collections.shuffle(active);
        Collections.shuffle(rest);
        active.addAll(rest);
        return active;
    }

    private Result run(Host h, Connection conn, Function<Connection, String> sql, Reader reader) throws SQLException {
        Result r = reader.read(conn, sql.apply(conn));
        release(h, conn);
        return r;
    }

    /** An idle connection to the server not older than idle_interval, or null. */
    private Idle takeIdle(Host h) {
        long now = System.currentTimeMillis();
        lock.lock();
        try {
            Idle i;
            while ((i = h.idle.pollLast()) != null) {
                if (now - i.since() < idleMillis) return i;
                closeQuietly(i.conn());
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** A new connection to the server; null (warned, server marked down) when it cannot be reached. */
    private Connection connect(Host h) {
        try {
            Connection c = dialect.driver().connect(h.url, h.properties);
            if (c == null) throw new SQLException("the driver does not take " + h.url);
            return c;
        } catch (SQLException e) {
            warn.accept("connect to " + dialect.type() + " server " + h.label + ": " + oneLine(e.getMessage()));
            down(h);
            return null;
        }
    }

    private void release(Host h, Connection conn) {
        lock.lock();
        try {
            if (h.idle.size() < MAX_IDLE) {
                h.idle.addLast(new Idle(conn, System.currentTimeMillis()));
                return;
            }
        } finally {
            lock.unlock();
        }
        closeQuietly(conn);
    }

    private void down(Host h) {
        lock.lock();
        try {
            h.deadUntil = System.currentTimeMillis() + retryMillis;
            h.idle.forEach(i -> closeQuietly(i.conn()));
            h.idle.clear();
        } finally {
            lock.unlock();
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', '?').replace('\r', '?');
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // the connection is dropped either way
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            for (Host h : hosts) {
                h.idle.forEach(i -> closeQuietly(i.conn()));
                h.idle.clear();
            }
        } finally {
            lock.unlock();
        }
    }
}
