package org.posthorn.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which parameter names postconf accepts for one configuration: the built-in ones, those
 * master.cf's services add, and user-defined ones (a name set in main.cf or with -o that
 * some value refers to as $name, or that smtpd_restriction_classes lists, or that belongs
 * to an ldap:/mysql:/pgsql:/sqlite:/memcache: table named in a value). Scanning the values
 * also finds references to names defined nowhere, which Postfix warns about.
 */
public final class ParameterNamespace {
    private static final List<String> DBMS_TYPES = List.of("ldap:", "mysql:", "pgsql:", "sqlite:", "memcache:");

    /** Compiled only when a value names a database table. */
    private static final class Dbms {
        static final Pattern PATTERN = Pattern.compile("\\b(ldap|mysql|pgsql|sqlite|memcache):([^\\s,{}]+)");
    }

    /** The parameters each database client reads, from its file or as "prefix_name" in main.cf. */
    private static final Map<String, Set<String>> DBMS_PARAMETERS = Map.of(
            "ldap", Set.of("bind", "bind_dn", "bind_pw", "cache", "cache_expiry", "cache_size", "chase_referrals",
                    "debuglevel", "dereference", "domain", "expansion_limit", "leaf_result_attribute",
                    "query_filter", "recursion_limit", "result_attribute", "result_format", "sasl_authz_id",
                    "sasl_mechs", "sasl_minssf", "sasl_realm", "scope", "search_base", "server_host",
                    "server_port", "size_limit", "special_result_attribute", "start_tls",
                    "terminal_result_attribute", "timeout", "tls_ca_cert_dir", "tls_ca_cert_file", "tls_cert",
                    "tls_cipher_suite", "tls_key", "tls_random_file", "tls_require_cert", "version"),
            "mysql", Set.of("additional_conditions", "dbname", "domain", "expansion_limit", "hosts",
                    "option_file", "option_group", "password", "query", "require_result_set", "result_format",
                    "select_field", "table", "tls_CAfile", "tls_CApath", "tls_cert_file", "tls_ciphers",
                    "tls_key_file", "tls_verify_cert", "user", "where_field"),
            "pgsql", Set.of("additional_conditions", "dbname", "domain", "expansion_limit", "hosts", "password",
                    "query", "result_format", "select_field", "select_function", "table", "user", "where_field"),
            "sqlite", Set.of("additional_conditions", "dbpath", "domain", "expansion_limit", "query",
                    "result_format", "select_field", "table", "where_field"),
            "memcache", Set.of("backup", "data_size_limit", "domain", "flags", "key_format", "line_size_limit",
                    "max_try", "memcache", "retry_pause", "timeout", "ttl"));

    private final Map<String, String> service;
    private final Set<String> user;
    private final List<String> warnings;

    private ParameterNamespace(Map<String, String> service, Set<String> user, List<String> warnings) {
        this.service = service;
        this.user = user;
        this.warnings = warnings;
    }

    /**
     * @param main     main.cf's explicit settings (with postconf -o on top)
     * @param mainName how messages name main.cf
     * @param master   master.cf, or null
     */
    public static ParameterNamespace of(Map<String, String> main, String mainName, MasterCf master) {
        Map<String, String> service = ServiceParameters.of(master);
        Set<String> defined = new LinkedHashSet<>(main.keySet());
        Map<String, Set<String>> refs = new LinkedHashMap<>(); // file -> referenced names
        List<String> warnings = new ArrayList<>();
        Map<String, String> dbmsPrefixes = new LinkedHashMap<>(); // prefix -> database type
        String masterName = master == null ? null : master.file().toString();
        for (String v : main.values()) scan(v, mainName, refs, warnings, dbmsPrefixes);
        if (master != null) {
            for (MasterCf.Service s : master.entries()) {
                for (Map.Entry<String, String> o : options(s).entrySet()) {
                    defined.add(o.getKey());
                    scan(o.getValue(), masterName, refs, warnings, dbmsPrefixes);
                }
            }
        }
        Set<String> used = new LinkedHashSet<>();
        refs.values().forEach(used::addAll);
        String classes = main.get("smtpd_restriction_classes");
        if (classes != null) used.addAll(Config.splitList(classes));
        Set<String> user = new LinkedHashSet<>();
        for (String d : defined) {
            if (used.contains(d) || isDbmsParameter(d, dbmsPrefixes)
                    || Defaults.isLegacy(d)) {
                user.add(d);
            }
        }
        for (Map.Entry<String, Set<String>> e : refs.entrySet()) {
            for (String name : e.getValue()) {
                if (!isKnownName(name, service) && !defined.contains(name)) {
                    warnings.add(e.getKey() + ": undefined parameter: " + name);
                }
            }
        }
        return new ParameterNamespace(service, user, warnings);
    }

    private static boolean isKnownName(String name, Map<String, String> service) {
        return Defaults.isBuiltin(name) || Defaults.isLegacy(name) || service.containsKey(name);
    }

    private static void scan(String value, String file, Map<String, Set<String>> refs, List<String> warnings,
                             Map<String, String> dbmsPrefixes) {
        Set<String> names = refs.computeIfAbsent(file, f -> new LinkedHashSet<>());
        try {
            Expander.scan(value, names::add);
        } catch (ParameterException e) {
            warnings.add(e.getMessage());
        }
        if (DBMS_TYPES.stream().noneMatch(value::contains)) return;
        Matcher m = Dbms.PATTERN.matcher(value);
        while (m.find()) {
            String type = m.group(1);
            String name = m.group(2);
            if (name.startsWith("/")) checkDbmsFile(type, name, warnings);
            else dbmsPrefixes.put(name, type);
        }
    }

    private static boolean isDbmsParameter(String name, Map<String, String> prefixes) {
        for (Map.Entry<String, String> e : prefixes.entrySet()) {
            String p = e.getKey() + "_";
            if (name.startsWith(p) && DBMS_PARAMETERS.get(e.getValue()).contains(name.substring(p.length()))) return true;
        }
        return false;
    }

    /** As postconf does: the client's configuration file must open, and hold only names that client knows. */
    private static void checkDbmsFile(String type, String file, List<String> warnings) {
        List<String> lines;
        try {
            lines = MainCf.readLines(java.nio.file.Path.of(file));
        } catch (java.io.IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "No such file or directory"
                    : e instanceof java.nio.file.AccessDeniedException ? "Permission denied" : String.valueOf(e.getMessage());
            warnings.add("open \"" + type + "\" configuration \"" + file + "\": " + why);
            return;
        }
        try {
            MainCf cf = MainCf.parse(lines, file);
            for (MainCf.Entry e : cf.entries().values()) {
                if (!DBMS_PARAMETERS.get(type).contains(e.name())) {
                    warnings.add(type + ":" + file + ": unused parameter: " + e.name() + "=" + e.value());
                }
            }
        } catch (ConfigSyntaxException e) {
            warnings.add(e.getMessage());
        }
    }

    /** The "-o name=value" settings of a master.cf row, as postconf reads them. */
    public static Map<String, String> options(MasterCf.Service s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i : MasterCf.Service.optionValues(s.args())) {
            String nv = s.args().get(i);
            int eq = nv.indexOf('=');
            out.put(nv.substring(0, eq), nv.substring(eq + 1));
        }
        return out;
    }

    /** Whether postconf -d knows name: built-in, legacy, or from master.cf. */
    public boolean isKnownDefault(String name) {
        return Defaults.isBuiltin(name) || Defaults.isLegacy(name) || service.containsKey(name);
    }

    public boolean isKnown(String name) {
        return isKnownDefault(name) || user.contains(name);
    }

    /** The per-service parameters master.cf adds, with their default text. */
    public Map<String, String> serviceParameters() {
        return service;
    }

    public Set<String> userParameters() {
        return user;
    }

    /** Warnings from the scan: undefined names and syntax errors in values. */
    public List<String> warnings() {
        return warnings;
    }
}
