package org.posthorn.table;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import org.posthorn.config.Config;

/**
 * pgsql:/file.cf and mysql:/file.cf tables (pgsql_table(5), mysql_table(5)): the key is quoted
 * for an SQL string literal and put into the query template; every column of every row goes
 * through result_format and the results are joined with commas. A database that cannot be
 * reached, or a query that fails, is a lookup error (callers defer), never "not found".
 */
final class SqlTable extends FoldedTable {
    private final SqlDialect dialect;
    private final String file;
    private final DbTemplate template;
    private final int expansionLimit;
    private final SqlHosts hosts;
    private final Config config;
    private final Consumer<String> warn;

    private SqlTable(String spec, KeyFold fold, SqlDialect dialect, String file, DbTemplate template,
                     int expansionLimit, SqlHosts hosts, Config config, Consumer<String> warn) {
        super(spec, fold);
        this.dialect = dialect;
        this.file = file;
        this.template = template;
        this.expansionLimit = expansionLimit;
        this.hosts = hosts;
        this.config = config;
        this.warn = warn;
    }

    static SqlTable open(String spec, SqlDialect dialect, String file, KeyFold fold, Config config,
                         Consumer<String> warn) throws TableException {
        DbConfig cf = DbConfig.read(file);
        String query = cf.get("query", null);
        if (query == null) query = legacyQuery(cf, dialect);
        DbTemplate template = new DbTemplate(spec, query, cf.get("result_format", "%s", 1), cf.get("domain", ""), warn);
        int limit = cf.getInt("expansion_limit", 0, 0);
        SqlHosts hosts = SqlHosts.of(dialect, cf, warn);
        return new SqlTable(spec, fold, dialect, file, template, limit, hosts, config, warn);
    }

    /** The query of old configurations: select_field, table, where_field, additional_conditions (select_function for pgsql). */
    private static String legacyQuery(DbConfig cf, SqlDialect dialect) throws TableException {
        String function = dialect == SqlDialect.PGSQL ? cf.get("select_function", null) : null;
        if (function != null) return "SELECT " + function + "('%s')";
        String where = "db_common_sql_build_query";
        String table = cf.get("table", null, 1);
        if (table == null) throw new TableException(where + ": 'table' parameter not defined");
        String select = cf.get("select_field", null, 1);
        if (select == null) throw new TableException(where + ": 'select_field' parameter not defined");
        String field = cf.get("where_field", null, 1);
        if (field == null) throw new TableException(where + ": 'where_field' parameter not defined");
        return "SELECT " + select + " FROM " + table + " WHERE " + field + "='%s' " + cf.get("additional_conditions", "");
    }

    @Override
    String get(String key) throws TableException {
        if (!template.domainAllows(key, config)) return null;
        if (!template.accepts(key)) return null;
        SqlHosts.Result rows = hosts.query(conn -> template.query(key, s -> dialect.quote(conn, s)),
                (conn, sql) -> read(conn, sql, key));
        if (rows == null) throw new TableException("table " + name() + ": query error: Application error");
        String value = rows.value();
        if (value == null) {
            warn.accept("dict_" + dialect.type() + "_lookup: " + file + ": Expansion limit exceeded for key: '" + key + "'");
            throw new TableException("table " + name() + ": query error: Application error");
        }
        return value.isEmpty() ? null : value;
    }

    /** The rows of one query as a result string; a null value in the Result when the expansion limit was exceeded. */
    private SqlHosts.Result read(Connection conn, String sql, String key) throws SQLException {
        StringBuilder out = new StringBuilder();
        int expansions = 0;
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int c = 1; c <= columns; c++) {
                    String v = rs.getString(c);
                    // libpq hands out NULL as an empty string (warned about); MySQL's NULL is skipped silently
                    if (v == null && dialect == SqlDialect.PGSQL) v = "";
                    if (template.appendResult(out, v, key) && expansionLimit > 0 && ++expansions > expansionLimit) {
                        return new SqlHosts.Result(null);
                    }
                }
            }
        }
        return new SqlHosts.Result(out.toString());
    }

    @Override
    public void close() {
        hosts.close();
    }
}
