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
    private static final Pattern DBMS = Pattern.compile("\\b(?:ldap|mysql|pgsql|sqlite|memcache):([A-Za-z0-9_]+)(?![A-Za-z0-9_/.])");

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
        Set<String> dbmsPrefixes = new LinkedHashSet<>();
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
            if (used.contains(d) || dbmsPrefixes.stream().anyMatch(p -> d.startsWith(p + "_"))) user.add(d);
        }
        for (Map.Entry<String, Set<String>> e : refs.entrySet()) {
            for (String name : e.getValue()) {
                if (!Defaults.isBuiltin(name) && !service.containsKey(name) && !defined.contains(name)) {
                    warnings.add(e.getKey() + ": undefined parameter: " + name);
                }
            }
        }
        return new ParameterNamespace(service, user, warnings);
    }

    private static void scan(String value, String file, Map<String, Set<String>> refs, List<String> warnings,
                             Set<String> dbmsPrefixes) {
        Set<String> names = refs.computeIfAbsent(file, f -> new LinkedHashSet<>());
        try {
            Expander.scan(value, names::add);
        } catch (ParameterException e) {
            warnings.add(e.getMessage());
        }
        Matcher m = DBMS.matcher(value);
        while (m.find()) dbmsPrefixes.add(m.group(1));
    }

    /** The "-o name=value" settings of a master.cf row, as postconf reads them. */
    public static Map<String, String> options(MasterCf.Service s) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> args = s.args();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("-") || a.equals("--")) break;
            if (a.equals("-o") && i + 1 < args.size()) {
                String nv = args.get(++i);
                int eq = nv.indexOf('=');
                if (eq > 0) out.put(nv.substring(0, eq), nv.substring(eq + 1));
            }
        }
        return out;
    }

    public boolean isKnown(String name) {
        return Defaults.isBuiltin(name) || service.containsKey(name) || user.contains(name);
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
