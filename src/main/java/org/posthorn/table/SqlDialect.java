package org.posthorn.table;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/** What differs between pgsql: and mysql: tables: the JDBC driver, its URL, default port and string quoting. */
enum SqlDialect {
    PGSQL("pgsql", "org.postgresql.Driver", 5432),
    MYSQL("mysql", "org.mariadb.jdbc.Driver", 3306);

    private final String type;
    private final String driverClass;
    private final int defaultPort;
    private volatile Driver driver;

    SqlDialect(String type, String driverClass, int defaultPort) {
        this.type = type;
        this.driverClass = driverClass;
        this.defaultPort = defaultPort;
    }

    String type() {
        return type;
    }

    int defaultPort() {
        return defaultPort;
    }

    /** The driver, loaded on first use so that commands that need no SQL table do not pay for it. */
    Driver driver() throws SQLException {
        Driver d = driver;
        if (d != null) return d;
        try {
            d = (Driver) Class.forName(driverClass).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new SQLException("no JDBC driver " + driverClass + " for " + type + ": tables", e);
        }
        driver = d;
        return d;
    }

    /** A JDBC URL for a TCP host. */
    String url(String host, int port, String dbname) {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "jdbc:" + (this == PGSQL ? "postgresql" : "mariadb") + "://" + h + ":" + port + "/" + dbname;
    }

    /** Connection properties common to every host of a table: credentials and timeouts. */
    Properties properties(String user, String password, int connectSeconds, int readSeconds) {
        Properties p = new Properties();
        if (!user.isEmpty()) p.setProperty("user", user);
        if (!password.isEmpty()) p.setProperty("password", password);
        if (this == PGSQL) {
            p.setProperty("connectTimeout", Integer.toString(connectSeconds));
            p.setProperty("socketTimeout", Integer.toString(readSeconds));
            p.setProperty("ApplicationName", "posthorn");
        } else {
            p.setProperty("connectTimeout", Integer.toString(connectSeconds * 1000));
            p.setProperty("socketTimeout", Integer.toString(readSeconds * 1000));
        }
        return p;
    }

    /**
     * A string for the inside of an SQL string literal, as libpq's PQescapeStringConn and
     * mysql_real_escape_string make it: PostgreSQL doubles quotes (and backslashes when the
     * server does not use standard-conforming strings); MySQL escapes with backslashes.
     */
    String quote(Connection conn, String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        if (this == PGSQL) {
            boolean doubleBackslash = !standardConformingStrings(conn);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == 0) break; // a C string ends here, as in libpq
                if (c == '\'' || c == '\\' && doubleBackslash) b.append(c);
                b.append(c);
            }
            return b.toString();
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case 0 -> b.append("\\0");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\\' -> b.append("\\\\");
                case '\'' -> b.append("\\'");
                case '"' -> b.append("\\\"");
                case '\032' -> b.append("\\Z");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean standardConformingStrings(Connection conn) {
        try {
            String v = conn.unwrap(org.postgresql.PGConnection.class).getParameterStatus("standard_conforming_strings");
            return !"off".equalsIgnoreCase(v);
        } catch (SQLException e) {
            return true;
        }
    }
}
