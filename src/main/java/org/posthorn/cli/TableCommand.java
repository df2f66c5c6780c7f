package org.posthorn.cli;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.posthorn.config.Config;
import org.posthorn.config.Instance;
import org.posthorn.log.Log;
import org.posthorn.table.DbType;
import org.posthorn.table.KeyFold;
import org.posthorn.table.SourceLines;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;
import org.posthorn.table.TableFactory;
import org.posthorn.table.TableWriter;

/**
 * What postmap(1) and postalias(1) share: options, building an indexed table from a source
 * file, -i (add from stdin), -d (delete), -q (query), -s (list). The subclasses say how a
 * source line becomes an entry and how an entry is printed.
 */
abstract class TableCommand implements Command {
    final String program;
    final Log log;
    boolean fold = true;
    boolean base64;
    boolean headerKeys;
    boolean bodyKeys;
    boolean mimeKeys;
    boolean incremental;
    boolean inheritMode = true;
    boolean list;
    String query;
    String deleteKey;
    TableWriter.Duplicates duplicates = TableWriter.Duplicates.WARN;
    Config config;
    private Writer out;

    TableCommand(String program) {
        this.program = program;
        this.log = Log.of(program);
    }

    /** getopt(3) option letters. */
    abstract String optstring();

    /** The usage text after "usage: ". */
    abstract String usage();

    /** Turns one logical source line into (key, value); null to skip it (a warning was given). */
    abstract String[] entry(String where, String text);

    /** How -s and "-q -" print an entry. */
    abstract String format(String key, String value);

    /** Entries added to every table built or updated (postalias's signatures). */
    void sign(TableWriter writer) {
    }

    /** Handles an option this class does not know; false when it is not an option of the command. */
    boolean option(int c, String arg) {
        return false;
    }

    @Override
    public int run(String[] args) throws Exception {
        TableFactory.setLog(log);
        Getopt g = new Getopt(program, args, optstring());
        String configDir = null;
        int c;
        while ((c = nextOption(g)) != -1) {
            String arg = g.optarg();
            switch (c) {
                case 'c' -> configDir = arg;
                case 'd' -> {
                    if (list || query != null) throw usageError("specify only one of -s -q or -d");
                    deleteKey = arg;
                }
                case 'q' -> {
                    if (list || deleteKey != null) throw usageError("specify only one of -s -q or -d");
                    query = arg;
                }
                case 's' -> {
                    if (query != null || deleteKey != null) throw usageError("specify only one of -s or -q or -d");
                    list = true;
                }
                case 'f' -> fold = false;
                case 'F' -> base64 = true;
                case 'b' -> bodyKeys = true;
                case 'h' -> headerKeys = true;
                case 'm' -> mimeKeys = true;
                case 'i' -> incremental = true;
                case 'p' -> inheritMode = false;
                case 'r' -> duplicates = TableWriter.Duplicates.REPLACE;
                case 'w' -> duplicates = TableWriter.Duplicates.IGNORE;
                // -N/-n (terminating null: our file format stores lengths, no nulls), -o (root
                // privileges are not dropped: we run as the invoking user), -u/-U (UTF-8 checks), -v
                case 'N', 'n', 'o', 'u', 'U', 'v' -> {
                }
                default -> {
                    if (!option(c, arg)) throw new CommandFailure(1, "usage: " + usage());
                }
            }
        }
        String[] maps = g.operands();
        // Postfix's -s without a table ends quietly with status 1; everything else needs one
        if (maps.length == 0 && list) return 1;
        if (maps.length == 0) throw new CommandFailure(1, "usage: " + usage());
        if ((bodyKeys || headerKeys || mimeKeys) && !"-".equals(query)) {
            throw new CommandFailure(1, "specify -b -h or -m only with \"-q -\"");
        }
        if (mimeKeys && !bodyKeys && !headerKeys) warn("ignoring -m option without -b or -h");
        Path dir = Instance.configDir(configDir);
        if (!Files.isRegularFile(dir.resolve("main.cf"))) {
            throw new CommandFailure(1, "open " + dir.resolve("main.cf") + ": No such file or directory");
        }
        config = Config.load(dir);
        // proxy: tables go to the running master's proxymap, as Postfix's postmap does
        org.posthorn.proxymap.ProxymapClient.install(config);
        out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        try {
            if (query != null) return query(maps);
            if (deleteKey != null) return delete(maps);
            if (list) return list(maps[0]);
            for (String map : maps) build(map);
            return 0;
        } catch (TableException e) {
            throw new CommandFailure(1, e.getMessage());
        } finally {
            out.flush();
        }
    }

    /** The next option; getopt's complaint is printed as Postfix's commands print it, then usage. */
    private int nextOption(Getopt g) {
        try {
            return g.next();
        } catch (CommandFailure e) {
            System.err.println(program + ": " + e.getMessage().lines().findFirst().orElse(""));
            throw new CommandFailure(1, "usage: " + usage());
        }
    }

    private CommandFailure usageError(String text) {
        return new CommandFailure(1, text);
    }

    /** "type:name" for an operand; a bare name gets default_database_type. */
    String spec(String map) {
        return map.indexOf(':') > 0 ? map : config.get("default_database_type").strip() + ":" + map;
    }

    KeyFold keyFold() {
        return KeyFold.of(config, fold);
    }

    Table open(String map) throws TableException {
        return TableFactory.openUncached(spec(map), config, fold);
    }

    private int query(String[] maps) throws IOException, TableException {
        if (!query.equals("-")) {
            for (String map : maps) {
                try (Table t = open(map)) {
                    String v = lookup(t, query);
                    if (v != null) {
                        out.write(decode(t, query, v, true) + "\n");
                        return 0;
                    }
                }
            }
            return 1;
        }
        List<Table> tables = new ArrayList<>();
        for (String map : maps) tables.add(open(map));
        boolean found = false;
        for (String key : stdinKeys()) {
            for (Table t : tables) {
                String v = lookup(t, key);
                if (v != null) {
                    out.write(format(key, decode(t, key, v, true)) + "\n");
                    found = true;
                    break;
                }
            }
        }
        return found ? 0 : 1;
    }

    /** A lookup with Postfix's complaint about tables that answer with an empty string. */
    private String lookup(Table t, String key) throws TableException {
        String v = t.lookup(key);
        if (v != null && v.isEmpty()) {
            warn("table " + t.name() + ": key " + key + ": empty string result is not allowed");
            warn("table " + t.name() + " should return NO RESULT in case of NOT FOUND");
        }
        return v;
    }

    /** The keys for "-q -": stdin lines, or with -h / -b the header or body lines of a message. */
    private List<String> stdinKeys() throws IOException {
        List<String> lines = readStdin();
        if (!headerKeys && !bodyKeys) return lines;
        return MessageKeys.of(lines, headerKeys, bodyKeys);
    }

    static List<String> readStdin() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) lines.add(line);
        return lines;
    }

    /** postmap -F: the stored value decoded from base64; Postfix's complaint when it is not base64. */
    private String decode(Table t, String key, String value, boolean fatal) {
        if (!base64) return value;
        try {
            return new String(java.util.Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            String name = fileName(t.name());
            warn("table " + name + ": key " + key + ": malformed BASE64 value: " + value);
            if (!fatal) return null;
            throw new CommandFailure(1, "table " + name + ": query error");
        }
    }

    /** How Postfix names a table in errors: indexed ones by {@link DbType#tableName}, others by their spec. */
    private static String fileName(String spec) {
        int colon = spec.indexOf(':');
        DbType db = colon > 0 ? DbType.of(spec.substring(0, colon)) : null;
        return db == null ? spec : db.tableName(spec.substring(colon + 1));
    }

    private int list(String map) throws IOException, TableException {
        try (Table t = open(map)) {
            if (spec(map).startsWith("proxy:")) throw new TableException("can't sequence maps via the proxy service");
            List<Map.Entry<String, String>> entries = t.entries();
            if (entries == null) throw new TableException("table " + seqName(map) + ": sequence operation is not supported");
            for (Map.Entry<String, String> e : entries) {
                String v = decode(t, e.getKey(), e.getValue(), false);
                // -F -s: an entry that is not base64 is warned about and skipped
                if (v != null) out.write(format(e.getKey(), v) + "\n");
            }
        }
        return 0;
    }

    /** How Postfix names a table it cannot list: cdb tables by their file, others by their spec. */
    private String seqName(String map) {
        String spec = spec(map);
        return spec.startsWith("cdb:") ? fileName(spec) : spec;
    }

    private int delete(String[] maps) throws IOException, TableException {
        List<String> keys = deleteKey.equals("-") ? readStdin() : List.of(deleteKey);
        boolean found = false;
        for (String map : maps) {
            try (TableWriter w = writer(map, true)) {
                boolean changed = false;
                for (String key : keys) changed |= w.delete(keyFold().apply(key));
                if (changed) w.commit(TableWriter.defaultMode());
                found |= changed;
            }
        }
        return found ? 0 : 1;
    }

    /** A writer for an existing indexed table (-i, -d). */
    private TableWriter writer(String map, boolean mustExist) throws TableException {
        String spec = spec(map);
        int colon = spec.indexOf(':');
        String type = spec.substring(0, colon);
        DbType db = DbType.of(type);
        if (db == null) {
            // Postfix's words: some types open and then refuse, the others refuse to open for writing
            throw new TableException(switch (type) {
                case "environ", "static" -> "table " + spec + ": delete operation is not supported";
                case "fail" -> "table " + spec + ": delete error: Application error";
                case "proxy" -> "table " + spec + ": Posthorn has no proxywrite service: update " + spec.substring(colon + 1);
                default -> spec + " map requires O_RDONLY access mode";
            });
        }
        return TableWriter.update(db, spec.substring(colon + 1), duplicates, this::warn, mustExist);
    }

    private void build(String map) throws IOException, TableException {
        String spec = spec(map);
        int colon = spec.indexOf(':');
        String type = spec.substring(0, colon);
        String name = spec.substring(colon + 1);
        List<SourceLines.Line> lines;
        Set<PosixFilePermission> mode = TableWriter.defaultMode();
        String source = incremental ? "stdin" : name;
        if (incremental) {
            lines = SourceLines.read(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                    source, this::warn);
        } else {
            try {
                lines = SourceLines.read(Path.of(name), this::warn);
                if (inheritMode) mode = Files.getPosixFilePermissions(Path.of(name));
            } catch (NoSuchFileException e) {
                throw new CommandFailure(1, "open " + name + ": No such file or directory");
            } catch (AccessDeniedException e) {
                throw new CommandFailure(1, "open " + name + ": Permission denied");
            }
        }
        DbType db = DbType.of(type);
        if (db == null) {
            throw new TableException("unsupported dictionary type: " + type + " does not support bulk-mode creation.");
        }
        try (TableWriter w = incremental ? writer(map, false) : TableWriter.create(db, name, duplicates, this::warn)) {
            for (SourceLines.Line line : lines) {
                String where = source + ", line " + line.number();
                String[] kv = entry(where, line.text());
                if (kv == null) continue;
                String value = base64 ? encodeFiles(where, kv[1]) : kv[1];
                if (value == null) continue;
                w.put(keyFold().apply(kv[0]), value);
            }
            sign(w);
            w.commit(mode);
        }
    }

    /** postmap -F: the value names files whose contents (joined by newlines) are stored base64-encoded. */
    private String encodeFiles(String where, String value) throws IOException {
        StringBuilder content = new StringBuilder();
        boolean first = true;
        for (String file : value.split("[,\\s]+")) {
            if (file.isEmpty()) continue;
            if (!first) content.append('\n');
            first = false;
            try {
                content.append(Files.readString(Path.of(file), StandardCharsets.ISO_8859_1));
            } catch (NoSuchFileException e) {
                warn(where + ": open " + file + ": No such file or directory: skipping this entry");
                return null;
            }
        }
        return java.util.Base64.getEncoder().encodeToString(content.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    void warn(String text) {
        log.warning("%s", text);
    }
}
