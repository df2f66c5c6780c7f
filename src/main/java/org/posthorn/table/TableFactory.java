package org.posthorn.table;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.posthorn.config.Config;
import org.posthorn.log.Log;

/**
 * Opens tables by "type:name" as Postfix's dict_open() does. {@link #open(String, Config)} shares
 * one open table per spec across the process (sessions do not reopen files; indexed tables
 * notice a rebuilt file by themselves); postmap opens its own with {@link #openUncached}.
 *
 * <p>Types: hash, btree, cdb, lmdb (Posthorn's indexed file), texthash, cidr, inline, static,
 * unionmap, pipemap, randmap, environ, fail, unix (passwd.byname, group.byname), regexp and
 * pcre ({@link RegexpTable}), pgsql and mysql ({@link SqlTable}), memcache, socketmap, tcp;
 * proxy:type:name goes through the proxymap service when one is installed ({@link #setProxy}),
 * else opens type:name in process.
 */
public final class TableFactory {
    private static final Map<String, Table> CACHE = new ConcurrentHashMap<>();
    private static volatile Log log = Log.of("posthorn");
    private static volatile ProxyClient proxy;

    private TableFactory() {
    }

    /** Where table warnings go (bad source lines, duplicates): the running program's log. */
    public static void setLog(Log programLog) {
        log = programLog;
    }

    /** Routes proxy: tables through a proxymap service (null: open them in process). */
    public static void setProxy(ProxyClient client) {
        proxy = client;
    }

    static ProxyClient proxy() {
        return proxy;
    }

    /**
     * A table opened for updates as well as lookups (address_verify_map, postscreen_cache_map):
     * a proxy: table goes to the proxywrite service and must be listed in proxy_write_maps.
     */
    public static Table openForUpdate(String spec, Config config) throws TableException {
        KeyFold fold = KeyFold.of(config, true);
        String key = "w " + fold + " " + spec;
        Table t = CACHE.get(key);
        if (t != null) return t;
        Table opened = spec.startsWith("proxy:") ? proxied(spec, config, fold, true) : openWritable(spec, config, fold != KeyFold.NONE);
        Table raced = CACHE.putIfAbsent(key, opened);
        return raced != null ? raced : opened;
    }

    /**
     * A new table opened for writing as Postfix opens with O_RDWR|O_CREAT: an indexed file
     * that does not exist yet is created empty (proxywrite, caches).
     */
    public static Table openWritable(String spec, Config config, boolean foldKeys) throws TableException {
        int colon = spec.indexOf(':');
        DbType db = colon > 0 ? DbType.of(spec.substring(0, colon)) : null;
        if (db != null && db.updatable() && !java.nio.file.Files.exists(db.file(spec.substring(colon + 1)))) {
            TableWriter.create(db, spec.substring(colon + 1), TableWriter.Duplicates.REPLACE, TableFactory::warn)
                    .commit(TableWriter.defaultMode());
        }
        return openUncached(spec, config, foldKeys);
    }

    private static Table proxied(String spec, Config config, KeyFold fold, boolean write) throws TableException {
        String inner = spec;
        while (inner.startsWith("proxy:")) inner = inner.substring("proxy:".length());
        if (inner.indexOf(':') <= 0) {
            throw new TableException("open dictionary: expecting \"type:name\" form instead of \"" + inner + "\"");
        }
        return new ProxyTable(spec, inner, config, fold, write);
    }

    static void warn(String text) {
        log.warning("%s", text);
    }

    /** The shared table for a spec, with Postfix's default case folding of fixed-string keys. */
    public static Table open(String spec, Config config) throws TableException {
        return open(spec, config, true);
    }

    /**
     * The shared table for a spec; {@code fold} false keeps fixed-string keys as written, as
     * Postfix opens the tables of match lists (mydestination, relay_domains, ...), which fold
     * only the query.
     */
    public static Table open(String spec, Config config, boolean foldKeys) throws TableException {
        KeyFold fold = KeyFold.of(config, foldKeys);
        String key = fold + " " + spec;
        Table t = CACHE.get(key);
        if (t != null) return t;
        Table opened = open(spec, config, fold);
        Table raced = CACHE.putIfAbsent(key, opened);
        return raced != null ? raced : opened;
    }

    /** Forgets the shared tables (postfix reload, tests). */
    public static void clearCache() {
        CACHE.values().forEach(Table::close);
        CACHE.clear();
    }

    /** A new table; {@code fold} false is postmap -f (keys are not folded to lower case). */
    public static Table openUncached(String spec, Config config, boolean fold) throws TableException {
        return open(spec, config, KeyFold.of(config, fold));
    }

    private static Table open(String spec, Config config, KeyFold fold) throws TableException {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new TableException("open dictionary: expecting \"type:name\" form instead of \"" + spec + "\"");
        }
        String type = spec.substring(0, colon);
        String name = spec.substring(colon + 1);
        DbType db = DbType.of(type);
        if (db != null) return new IndexedTable(spec, fold, db, name);
        return switch (type) {
            case "texthash" -> textHash(spec, name, fold);
            case "cidr" -> cidr(spec, name);
            case "inline" -> SmallTables.inline(spec, name, fold);
            case "static" -> SmallTables.fixedValue(spec, name);
            case "randmap" -> SmallTables.random(spec, name);
            case "environ" -> SmallTables.environ(spec, fold);
            case "fail" -> SmallTables.fail(spec);
            case "unionmap", "pipemap" -> composite(spec, type, name, config, fold);
            case "unix" -> {
                Table t = UnixTable.open(spec, name, fold);
                if (t == null) throw new TableException("unknown table: " + spec);
                yield t;
            }
            case "regexp", "pcre" -> RegexpTable.open(type, name, TableFactory::warn);
            case "pgsql" -> SqlTable.open(spec, SqlDialect.PGSQL, name, fold, config, TableFactory::warn);
            case "mysql" -> SqlTable.open(spec, SqlDialect.MYSQL, name, fold, config, TableFactory::warn);
            case "memcache" -> MemcacheTable.open(spec, name, fold, config, TableFactory::warn);
            case "socketmap" -> SocketmapTable.open(spec, name);
            case "tcp" -> new TcpTable(spec, name, 1000);
            case "proxy" -> proxied(spec, config, fold, false);
            default -> throw new TableException("unsupported dictionary type: " + type);
        };
    }

    private static Table composite(String spec, String type, String body, Config config, KeyFold fold)
            throws TableException {
        String in = Braces.inner(body);
        List<String> specs = in == null ? List.of() : Config.splitList(in);
        if (specs.isEmpty()) throw new TableException("bad syntax: \"" + spec + "\"; need \"" + type + ":{type:name...}\"");
        List<Table> members = new ArrayList<>();
        for (String s : specs) members.add(open(s, config, fold));
        return new CompositeTable(spec, members, type.equals("pipemap"));
    }

    /** The logical lines of a source file, or of an inline "{ {rule}, {rule} }" body (Postfix 3.7). */
    static List<SourceLines.Line> sourceLines(String name, Consumer<String> warn) throws TableException {
        String in = name.startsWith("{") ? Braces.inner(name) : null;
        try {
            if (in != null) {
                StringBuilder text = new StringBuilder();
                for (String rule : Config.splitList(in)) text.append(Braces.ungroup(rule)).append('\n');
                return SourceLines.read(new BufferedReader(new StringReader(text.toString())), name, warn);
            }
            return SourceLines.read(Path.of(name), warn);
        } catch (NoSuchFileException e) {
            throw new TableException("open database " + name + ": No such file or directory", e);
        } catch (AccessDeniedException e) {
            throw new TableException("open database " + name + ": Permission denied", e);
        } catch (IOException e) {
            throw new TableException("open database " + name + ": " + e.getMessage(), e);
        }
    }

    /** texthash: a postmap source file read into memory at open (no change detection, as Postfix). */
    private static Table textHash(String spec, String name, KeyFold fold) throws TableException {
        Map<String, String> map = new LinkedHashMap<>();
        for (SourceLines.Line line : sourceLines(name, TableFactory::warn)) {
            String where = name + ", line " + line.number() + ": ";
            KeyValue kv;
            try {
                kv = KeyValue.parse(line.text());
            } catch (KeyValue.BadLine e) {
                warn(where + e.getMessage() + " -- ignoring this line");
                continue;
            }
            String key = fold.apply(kv.key());
            // Postfix names the duplicate as written in the file, not folded
            if (map.putIfAbsent(key, kv.value()) != null) warn(where + "duplicate entry: \"" + kv.key() + "\"");
        }
        return new MemoryTable(spec, fold, map);
    }

    private static Table cidr(String spec, String name) throws TableException {
        List<SourceLines.Line> lines = sourceLines(name, TableFactory::warn);
        return CidrTable.parse(spec, name, lines, TableFactory::warn);
    }
}
