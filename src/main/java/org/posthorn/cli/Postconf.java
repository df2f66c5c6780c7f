package org.posthorn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.posthorn.config.Config;
import org.posthorn.config.ConfigException;
import org.posthorn.config.ConfigSyntaxException;
import org.posthorn.config.Defaults;
import org.posthorn.config.EditMode;
import org.posthorn.config.MainCf;
import org.posthorn.config.MainCfEditor;
import org.posthorn.config.MasterCf;
import org.posthorn.config.MasterCfEditor;
import org.posthorn.config.ParameterException;
import org.posthorn.config.ParameterNamespace;
import org.posthorn.config.Instance;
import org.posthorn.config.PostconfFormat;
import org.posthorn.config.SystemDefaults;
import org.posthorn.log.Log;

/**
 * postconf(1): prints main.cf parameters (all, -n set ones, -d defaults, -h values, -H
 * names, -x expanded, -f folded), edits main.cf (-e, -X, -#), prints and edits master.cf
 * (-M, -F, -P, -Me, -MX, -M#), and lists the supported table types (-m), mailbox lock
 * methods (-l) and SASL plug-ins (-a, -A). Output matches Postfix's postconf byte for byte.
 */
public final class Postconf implements Command {
    private static final List<String> TABLE_TYPES = List.of("btree", "cdb", "cidr", "environ", "fail", "hash",
            "inline", "lmdb", "memcache", "mysql", "pcre", "pgsql", "pipemap", "proxy", "randmap", "regexp", "socketmap",
            "static", "tcp", "texthash", "unionmap", "unix");
    private static final List<String> LOCK_METHODS = List.of("flock", "fcntl", "dotlock");
    private static final List<String> SASL_SERVERS = List.of("dovecot");
    private static final List<String> MASTER_FIELDS = MasterCf.FIELDS;

    /** Parameters the running program sets; main.cf cannot. */
    private static final Set<String> READ_ONLY = Set.of("process_id", "process_name", "service_name");

    private Log log; // made on the first warning: Log's set-up costs start-up time
    private final PrintStream out = System.out;

    private boolean defaults, onlySet, valuesOnly, namesOnly, expand, fold;
    private char edit; // 'e', 'X', '#' or 0
    private char table; // 'M', 'F', 'P' or 0
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private final Set<String> shownClasses = new HashSet<>();

    @Override
    public int run(String[] args) throws Exception {
        SystemDefaults.setProcessName("postconf");
        Getopt g = new Getopt("postconf", args, "aAbc:C:deEfFhHlmMno:pPtT:vxX#");
        String cOption = null;
        char list = 0;
        StringBuilder given = new StringBuilder();
        for (int c; (c = next(g)) != -1; ) {
            given.append((char) c);
            switch (c) {
                case 'a', 'A', 'l', 'm', 'b', 't', 'T' -> list = (char) c;
                case 'c' -> cOption = g.optarg();
                case 'd' -> defaults = true;
                case 'e', 'X', '#' -> edit = (char) c;
                case 'f' -> fold = true;
                case 'h' -> valuesOnly = true;
                case 'H' -> namesOnly = true;
                case 'M', 'F', 'P' -> table = (char) c;
                case 'n' -> onlySet = true;
                case 'o' -> override(g.optarg());
                case 'x' -> expand = true;
                case 'C' -> classes(g.optarg());
                case 'v', 'E', 'p' -> { } // verbosity and -p (the default) change nothing here
                default -> throw new CommandFailure("option -" + (char) c + " is not supported by this postconf");
            }
        }
        checkCombination(given.toString());
        String[] names = g.operands();
        switch (list) {
            case 'm' -> TABLE_TYPES.forEach(out::println);
            case 'l' -> LOCK_METHODS.forEach(out::println);
            case 'a' -> SASL_SERVERS.forEach(out::println);
            case 'A' -> { } // no SASL client plug-ins yet
            case 'b', 't', 'T' -> throw new CommandFailure("option -" + list + " is not supported by this postconf");
            default -> {
                return configure(cOption, names);
            }
        }
        out.flush();
        return 0;
    }

    /** The next option; a bad one is reported as getopt and Postfix do, then the usage. */
    private static int next(Getopt g) {
        try {
            return g.next();
        } catch (CommandFailure e) {
            System.err.println("postconf: " + e.getMessage().lines().findFirst().orElse(""));
            throw new CommandFailure(USAGE);
        }
    }

    private static final String USAGE = "usage: postconf [-a (server SASL types)] [-A (client SASL types)]"
            + " [-b (bounce templates)] [-c config_dir] [-c param_class] [-d (parameter defaults)]"
            + " [-e (edit configuration)] [-f (fold lines)] [-F (master.cf fields)] [-h (no names)]"
            + " [-H (no values)] [-l (lock types)] [-m (map types)] [-M (master.cf)]"
            + " [-n (non-default parameters)] [-o name=value (override parameter value)] [-p (main.cf, default)]"
            + " [-P (master.cf parameters)] [-t (bounce templates)]"
            + " [-T compile-version|run-version|public-key-algorithms] [-v (verbose)]"
            + " [-x (expand parameter values)] [-X (exclude)] [-# (comment-out)] [name...]";

    /** Where each option sorts when Postfix names two of them. */
    private static final String OPTION_ORDER = "aAbcCdeEfFhHlmMnopPtTvxX#";

    /** Postfix's rules on which options go together, with its messages. */
    private static void checkCombination(String given) {
        String[] exclusive = {"aAblmMFPtT", "dn", "hH", "eX#"};
        for (String group : exclusive) conflict(given, group, group);
        for (char e : "eX#".toCharArray()) conflict(given, String.valueOf(e), "dnxfhH");
        String[] compat = {"M:dnhH", "F:dnX#", "P:dn#", "a:dnhHxfeX#", "A:dnhHxfeX#", "l:dnhHxfeX#", "m:dnhHxfeX#"};
        for (String rule : compat) {
            char mode = rule.charAt(0);
            if (given.indexOf(mode) < 0) continue;
            for (char other : rule.substring(2).toCharArray()) {
                if (given.indexOf(other) >= 0) {
                    throw new CommandFailure("with option -" + mode + ", do not specify -" + other);
                }
            }
        }
    }

    private static void conflict(String given, String left, String right) {
        for (char a : left.toCharArray()) {
            for (char b : right.toCharArray()) {
                if (a != b && given.indexOf(a) >= 0 && given.indexOf(b) >= 0) {
                    boolean aFirst = OPTION_ORDER.indexOf(a) < OPTION_ORDER.indexOf(b);
                    throw new CommandFailure("specify one of -" + (aFirst ? a : b) + " -" + (aFirst ? b : a));
                }
            }
        }
    }

    /** -C: which parameter classes a full listing shows (builtin, service, user, all). */
    private void classes(String arg) {
        for (String c : Config.splitList(arg)) {
            switch (c) {
                case "builtin", "service", "user" -> shownClasses.add(c);
                case "all" -> shownClasses.addAll(List.of("builtin", "service", "user"));
                default -> throw new CommandFailure("unknown -C option value \"" + c + "\" in \"" + arg + "\"");
            }
        }
    }

    private void override(String nv) {
        int eq = nv.indexOf('=');
        if (eq <= 0) throw new CommandFailure("-o option requires parameter=value: " + nv);
        overrides.put(nv.substring(0, eq).strip(), nv.substring(eq + 1).strip());
    }

    private int configure(String cOption, String[] names) throws IOException {
        Path dir = Instance.configDir(cOption);
        String env = System.getenv("MAIL_CONFIG");
        String label = cOption != null ? cOption : env != null && !env.isEmpty() ? env : dir.toString();
        if (edit != 0) {
            String file = table == 0 ? "main.cf" : "master.cf";
            if (!Files.isDirectory(dir)) {
                // Postfix creates the new file first
                throw new CommandFailure("open " + label + "/" + file + ".tmp: No such file or directory");
            }
            if (!Files.exists(dir.resolve(file))) {
                throw new CommandFailure("open " + label + "/" + file + " for reading: No such file or directory");
            }
            return table == 0 ? editMain(dir, label, names) : editMaster(dir, label, names);
        }
        if (table != 0 && !Files.exists(dir.resolve("master.cf"))) {
            throw new CommandFailure("open " + label + "/master.cf: No such file or directory"); // read first
        }
        if (!defaults && !Files.exists(dir.resolve("main.cf"))) {
            throw new CommandFailure("open " + label + "/main.cf: No such file or directory");
        }

        MainCf mainCf;
        try {
            mainCf = MainCf.read(dir.resolve("main.cf"), label + "/main.cf");
        } catch (ConfigSyntaxException e) {
            throw new CommandFailure(e.getMessage());
        }
        MasterCf master = readMaster(dir, label);
        Map<String, String> explicit = new LinkedHashMap<>();
        explicit.put("config_directory", label);
        for (MainCf.Entry e : mainCf.entries().values()) {
            if (READ_ONLY.contains(e.name())) {
                if (!defaults) warn(label + "/main.cf: read-only parameter assignment: " + e.name() + "=" + e.value());
                continue;
            }
            explicit.put(e.name(), e.value());
        }
        explicit.putAll(overrides);
        Config config = Config.of(dir, explicit);
        if (!defaults) mainCf.warnings().forEach(this::warn);
        ParameterNamespace ns = ParameterNamespace.of(explicit, label + "/main.cf", master);
        if (!defaults) ns.warnings().forEach(this::warn);
        try {
            if (!defaults) checkExpansion(config, explicit);
            if (table != 0) printMaster(master, config, names);
            else printParameters(config, ns, names);
        } catch (ParameterException e) {
            out.flush();
            warn(e.getMessage());
            throw new CommandFailure("macro processing error");
        }
        out.flush();
        if (!defaults) {
            if (table == 0) {
                for (Map.Entry<String, String> e : explicit.entrySet()) {
                    if (!ns.isKnown(e.getKey())) warn(label + "/main.cf: unused parameter: " + e.getKey() + "=" + e.getValue());
                }
            }
            if (master != null) {
                for (MasterCf.Service s : master.entries()) {
                    for (Map.Entry<String, String> o : ParameterNamespace.options(s).entrySet()) {
                        if (!ns.isKnown(o.getKey())) {
                            warn(master.file() + ": unused parameter: " + o.getKey() + "=" + o.getValue());
                        }
                    }
                }
            }
        }
        return 0;
    }

    /**
     * Postfix expands every built-in parameter main.cf sets when it starts, so a syntax error
     * or a loop there is fatal whatever is asked. Parameters whose default text is not meant
     * for expansion (smtpd_expansion_filter) are left alone, as Postfix reads those raw.
     */
    private static void checkExpansion(Config config, Map<String, String> explicit) {
        for (String name : explicit.keySet()) {
            if (!Defaults.isBuiltin(name) || Defaults.lookup(name).raw()) continue;
            try {
                config.get(name);
            } catch (ParameterException e) {
                String text = Defaults.lookup(name).text();
                try {
                    if (text != null) config.defaultsOnly().expand(text);
                } catch (ParameterException raw) {
                    continue;
                }
                throw e;
            }
        }
    }

    private MasterCf readMaster(Path dir, String label) throws IOException {
        try {
            MasterCf master = MasterCf.loadIfExists(dir, label);
            if (master == null) {
                String why = "open " + label + "/master.cf: No such file or directory";
                if (table != 0) throw new CommandFailure(why);
                warn(why);
                return null;
            }
            if (!defaults) master.warnings().forEach(this::warn);
            return master;
        } catch (ConfigException e) {
            throw new CommandFailure(e.getMessage());
        }
    }

    private void printParameters(Config config, ParameterNamespace ns, String[] names) {
        Config view = defaults ? config.defaultsOnly() : config;
        if (names.length > 0) {
            for (String name : names) {
                boolean known = defaults ? ns.isKnownDefault(name) : ns.isKnown(name);
                if (!known) {
                    warn(name + ": unknown parameter");
                    continue;
                }
                if (onlySet && !config.isSet(name)) continue;
                print(view, ns, name);
            }
            return;
        }
        TreeSet<String> all = new TreeSet<>();
        if (onlySet && !defaults) {
            for (String n : config.explicit().keySet()) if (ns.isKnown(n)) all.add(n);
        } else {
            for (Defaults.Parameter p : Defaults.all()) all.add(p.name());
            all.addAll(ns.serviceParameters().keySet());
            if (!defaults) all.addAll(ns.userParameters());
        }
        for (String name : all) {
            if (shown(ns, name)) print(view, ns, name);
        }
    }

    /** Whether -C lets a full listing show name. */
    private boolean shown(ParameterNamespace ns, String name) {
        if (shownClasses.isEmpty()) return true;
        String cls = ns.serviceParameters().containsKey(name) ? "service" : Defaults.isBuiltin(name) ? "builtin" : "user";
        return shownClasses.contains(cls);
    }

    private void print(Config view, ParameterNamespace ns, String name) {
        if (namesOnly) {
            out.println(name);
            return;
        }
        String raw = view.raw(name);
        if (raw == null) raw = ns.serviceParameters().getOrDefault(name, "");
        Defaults.Parameter p = Defaults.lookup(name);
        String value = expand && (p == null || !p.raw()) ? view.expand(raw) : raw;
        out.println(valuesOnly ? PostconfFormat.value(value, fold) : PostconfFormat.parameter(name, value, fold));
    }

    private void printMaster(MasterCf master, Config config, String[] selectors) {
        for (String sel : selectors) {
            boolean any = false;
            if (master != null) {
                for (MasterCf.Service s : master.entries()) {
                    any |= table == 'M' ? selected(new String[] {sel}, s.name(), s.type(), null)
                            : table == 'F' ? MASTER_FIELDS.stream().anyMatch(f -> selected(new String[] {sel}, s.name(), s.type(), f))
                            : ParameterNamespace.options(s).keySet().stream().anyMatch(f -> selected(new String[] {sel}, s.name(), s.type(), f));
                }
            }
            if (!any) warn("unmatched request: \"" + sel + "\"");
        }
        if (master == null) return;
        for (MasterCf.Service row : master.entries()) {
            MasterCf.Service s = expand ? row.withExpandedOptions(config) : row;
            switch (table) {
                case 'M' -> {
                    if (selected(selectors, s.name(), s.type(), null)) out.println(PostconfFormat.masterEntry(s, fold));
                }
                case 'F' -> {
                    List<String> values = s.columns();
                    for (int i = 0; i < MASTER_FIELDS.size(); i++) {
                        String field = MASTER_FIELDS.get(i);
                        if (!selected(selectors, s.name(), s.type(), field)) continue;
                        if (i < values.size()) masterLine(s, field, values.get(i));
                        else if (valuesOnly) out.println(PostconfFormat.command("", s, fold));
                        else out.println(PostconfFormat.command(namesOnly ? null : s.key() + "/" + field + " = ", s, fold));
                    }
                }
                default -> {
                    // Postfix keeps one parameter table per name/type, shared by duplicate rows
                    TreeMap<String, String> merged = new TreeMap<>();
                    for (MasterCf.Service other : master.entries()) {
                        if (other.key().equals(s.key())) {
                            merged.putAll(ParameterNamespace.options(expand ? other.withExpandedOptions(config) : other));
                        }
                    }
                    for (Map.Entry<String, String> o : merged.entrySet()) {
                        if (selected(selectors, s.name(), s.type(), o.getKey())) masterLine(s, o.getKey(), o.getValue());
                    }
                }
            }
        }
    }

    private void masterLine(MasterCf.Service s, String field, String value) {
        String name = s.name() + "/" + s.type() + "/" + field;
        out.println(valuesOnly ? PostconfFormat.value(value, fold)
                : namesOnly ? name : PostconfFormat.parameter(name, value, fold));
    }

    /** Whether a service (and field) matches one of "name", "name/type", "name/type/field"; "*" matches all. */
    private static boolean selected(String[] selectors, String name, String type, String field) {
        if (selectors.length == 0) return true;
        for (String sel : selectors) {
            String[] p = sel.split("/", -1);
            if (matches(p, 0, name) && matches(p, 1, type) && (field == null || matches(p, 2, field))) return true;
        }
        return false;
    }

    private static boolean matches(String[] parts, int i, String value) {
        return i >= parts.length || parts[i].equals("*") || parts[i].equals(value);
    }

    private int editMain(Path dir, String label, String[] args) throws IOException {
        Map<String, String> edits = new LinkedHashMap<>();
        for (String a : args) {
            if (edit == 'e') {
                try {
                    MainCf.Entry e = MainCf.parse(List.of(a), "").entries().values().iterator().next();
                    edits.put(e.name(), e.value());
                } catch (ConfigSyntaxException | NoSuchElementException e) {
                    String msg = e.getMessage() == null ? "" : e.getMessage();
                    throw new CommandFailure(msg.replaceFirst("^[^:]*line 1: ", ""));
                }
            } else {
                if (a.indexOf('=') >= 0) throw new CommandFailure("specify one of -e -" + edit);
                edits.put(a.strip(), null);
            }
        }
        if (edit == 'e' && edits.isEmpty()) throw new CommandFailure("-e requires name=value argument");
        if (edits.isEmpty()) throw new CommandFailure("missing service argument"); // Postfix's words
        MainCfEditor.edit(dir.resolve("main.cf"), label + "/main.cf", editMode(), edits, this::warn);
        return 0;
    }

    private int editMaster(Path dir, String label, String[] args) throws IOException {
        if (args.length == 0) throw new CommandFailure("missing service argument");
        Path file = dir.resolve("master.cf");
        Map<String, MasterCf.Service> edits = new LinkedHashMap<>();
        if (table == 'M' && edit != 'e') {
            for (String a : args) {
                if (a.split("/", -1).length != 2 || a.indexOf('=') >= 0) {
                    throw new CommandFailure("-Me, -MX or -M# requires service_name/type");
                }
                edits.put(a.strip(), null);
            }
        } else if (table == 'M') {
            for (String a : args) {
                int eq = a.indexOf('=');
                if (eq < 0) throw new CommandFailure("missing '=' after attribute name: \"" + a + "\"");
                MasterCf.Service s = parseEntry(file, a.substring(eq + 1).strip(), a);
                edits.put(s.key(), s);
            }
        } else {
            MasterCf master = readMaster(dir, label);
            for (String a : args) editField(master, a, edits);
        }
        // -PX removes a parameter by writing the entry without it
        EditMode mode = table == 'M' ? editMode() : EditMode.SET;
        MasterCfEditor.edit(file, mode, edits, table != 'M');
        return 0;
    }

    private static MasterCf.Service parseEntry(Path file, String entry, String arg) {
        try {
            List<MasterCf.Service> parsed = MasterCf.parseChecked(file, List.of(entry)).entries();
            if (parsed.isEmpty()) throw new CommandFailure("bad field count: \"" + arg + "\"");
            return parsed.getFirst();
        } catch (ConfigException e) {
            String msg = e.getMessage();
            if (msg.endsWith("bad field count")) throw new CommandFailure("bad field count: \"" + arg + "\"");
            throw new CommandFailure(msg.replaceFirst("^file [^:]*: line 1: ", ""));
        }
    }

    /** -Fe name/type/field=value, -Pe name/type/param=value, -PX name/type/param on every matching row. */
    private void editField(MasterCf master, String arg, Map<String, MasterCf.Service> edits) {
        int eq = arg.indexOf('=');
        if (edit == 'e' && eq < 0) throw new CommandFailure("missing '=' after attribute name: \"" + arg + "\"");
        if (edit != 'e' && eq >= 0) throw new CommandFailure("specify one of -e -" + edit);
        String path = (eq < 0 ? arg : arg.substring(0, eq)).strip();
        String value = eq < 0 ? null : arg.substring(eq + 1).strip();
        String[] p = path.split("/", -1);
        if (p.length != 3 || p[0].isEmpty() || p[1].isEmpty() || p[2].isEmpty()) {
            throw new CommandFailure("-" + table + edit + " requires service_name/type/attribute");
        }
        if (table == 'F' && !MASTER_FIELDS.contains(p[2])) {
            throw new CommandFailure("invalid service attribute name: \"" + p[2] + "\"");
        }
        boolean found = false;
        if (master != null) {
            for (MasterCf.Service s : master.entries()) {
                if (!s.name().equals(p[0]) || !s.type().equals(p[1])) continue;
                MasterCf.Service base = edits.getOrDefault(s.key(), s);
                edits.put(s.key(), table == 'F' ? withField(base, p[2], value) : base.withOption(p[2], value));
                found = true;
            }
        }
        if (!found) warn("unmatched service_name/type: \"" + arg + "\"");
    }

    private static MasterCf.Service withField(MasterCf.Service s, String field, String value) {
        try {
            return s.withField(field, value);
        } catch (ConfigException e) {
            throw new CommandFailure("invalid " + field + " field \"" + value + "\" in \"" + value + "\"");
        }
    }

    private EditMode editMode() {
        return edit == 'e' ? EditMode.SET : edit == 'X' ? EditMode.REMOVE : EditMode.COMMENT;
    }

    private void warn(String text) {
        out.flush();
        if (log == null) log = Log.of("postconf");
        log.warning("%s", text);
    }
}
