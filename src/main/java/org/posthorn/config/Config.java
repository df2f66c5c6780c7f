package org.posthorn.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One view of the configuration: main.cf, then a service's -o overrides, over the built-in
 * defaults of the parameter registry. Values come back with $name expansion done lazily, as
 * Postfix does it (see {@link Expander}); typed getters follow Postfix's parameter types
 * (yes/no booleans, time with units s m h d w, sizes in bytes, lists split on commas and
 * white space with {@code {...}} groups kept whole).
 */
public final class Config {
    private final Path configDir;
    private final Map<String, String> values;
    private final List<String> warnings;
    /** Computed defaults, worked out once per view (mynetworks lists the interfaces). */
    private final Map<String, String> computed = new java.util.concurrent.ConcurrentHashMap<>();

    private Config(Path configDir, Map<String, String> values, List<String> warnings) {
        this.configDir = configDir;
        this.values = values;
        this.warnings = warnings;
    }

    /**
     * Reads main.cf in configDir; a missing main.cf means all defaults. A syntax error is a
     * {@link ConfigSyntaxException} naming the file and line.
     */
    public static Config load(Path configDir) throws IOException {
        return load(configDir, configDir.toString());
    }

    /** As {@link #load(Path)}, naming the directory as dirLabel in messages ("dir/main.cf, line 3: ..."). */
    public static Config load(Path configDir, String dirLabel) throws IOException {
        return from(configDir, MainCf.read(configDir.resolve("main.cf"), dirLabel + "/main.cf"));
    }

    /** The configuration made of an already parsed main.cf. */
    public static Config from(Path configDir, MainCf mainCf) {
        Map<String, String> values = new LinkedHashMap<>();
        for (MainCf.Entry e : mainCf.entries().values()) values.put(e.name(), e.value());
        return new Config(configDir, values, List.copyOf(mainCf.warnings()));
    }

    /** A configuration from explicit values, for tests and tools. */
    public static Config of(Path configDir, Map<String, String> values) {
        return new Config(configDir, new LinkedHashMap<>(values), List.of());
    }

    public Path configDir() {
        return configDir;
    }

    /** A view with a service's -o name=value overrides on top. */
    public Config withOverrides(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        merged.putAll(overrides);
        return new Config(configDir, merged, warnings);
    }

    /** The same directory with nothing set: every parameter at its default (postconf -d). */
    public Config defaultsOnly() {
        return new Config(configDir, Map.of(), List.of());
    }

    /** Warnings from reading main.cf (overridden entries, stray continuation lines). */
    public List<String> warnings() {
        return warnings;
    }

    /** The explicitly set names and unexpanded values (main.cf, then overrides). */
    public Map<String, String> explicit() {
        return java.util.Collections.unmodifiableMap(values);
    }

    public boolean isSet(String name) {
        return values.containsKey(name);
    }

    /**
     * The expanded value; the default when unset; "" for an unknown parameter. Raw parameters
     * (forward_path, mailbox_command, smtpd_reject_footer, ...) come back unexpanded, as
     * Postfix's daemons read them: they expand them later with their own macros.
     */
    public String get(String name) {
        String raw = raw(name);
        if (raw == null) return "";
        Defaults.Parameter p = Defaults.lookup(name);
        return p != null && p.raw() ? raw : expand(raw);
    }

    /** Expands $name references in text against this configuration. */
    public String expand(String text) {
        return Expander.expand(text, this::raw);
    }

    /** The unexpanded value or default text; null for an unknown, unset parameter. */
    public String raw(String name) {
        String v = values.get(name);
        return v != null ? v : defaultText(name);
    }

    /** The default text of a parameter as postconf -d shows it, computed ones included; null if unknown. */
    public String defaultText(String name) {
        Defaults.Parameter p = Defaults.lookup(name);
        if (p == null) return Defaults.isLegacy(name) ? "" : ServiceParameters.defaultText(name);
        if (!p.computed()) return p.text();
        String known = computed.get(name);
        if (known != null) return known;
        // not computeIfAbsent: one computed default can ask for another (mydomain needs myhostname)
        String text = SystemDefaults.compute(name, n -> values.containsKey(n) ? get(n) : null, this::get);
        if (!name.startsWith("process_")) computed.put(name, text); // process_id and process_name may change
        return text;
    }

    /** A yes/no parameter (case does not matter). */
    public boolean getBool(String name) {
        String v = get(name).strip();
        if (v.equalsIgnoreCase("yes")) return true;
        if (v.equalsIgnoreCase("no")) return false;
        throw new ParameterException("bad boolean configuration: " + name + " = " + v);
    }

    public int getInt(String name) {
        String v = get(name).strip();
        try {
            return Integer.parseInt(v.startsWith("+") ? v.substring(1) : v);
        } catch (NumberFormatException e) {
            throw new ParameterException("bad numerical configuration: " + name + " = " + v);
        }
    }

    /** A time value in seconds; a number without a unit letter takes the parameter's default unit. */
    public long getTime(String name) {
        String v = get(name).strip();
        Defaults.Parameter p = Defaults.lookup(name);
        return parseTime(name, v, p == null ? 's' : p.timeUnit());
    }

    static long parseTime(String name, String v, char defaultUnit) {
        int n = v.length();
        char unit = n > 0 && Character.isLetter(v.charAt(n - 1)) ? v.charAt(n - 1) : defaultUnit;
        String digits = n > 0 && Character.isLetter(v.charAt(n - 1)) ? v.substring(0, n - 1) : v;
        long factor = switch (unit) {
            case 's' -> 1;
            case 'm' -> 60;
            case 'h' -> 3600;
            case 'd' -> 86400;
            case 'w' -> 604800;
            default -> -1;
        };
        if (factor < 0 || digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ParameterException("parameter " + name + ": bad time value or unit: " + v);
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), factor);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ParameterException("parameter " + name + ": time value out of range: " + v);
        }
    }

    /** A size in bytes (or a count too large for an int). */
    public long getSize(String name) {
        String v = get(name).strip();
        try {
            long n = Long.parseLong(v);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new ParameterException("bad numerical configuration: " + name + " = " + v);
    }

    /**
     * The value split on commas and white space, empty elements dropped; a {@code {...}}
     * group stays inside its element, so "inline:{ a=b, c=d }" is one table.
     */
    public List<String> getList(String name) {
        return splitList(get(name));
    }

    /** Postfix's list splitting (mystrtokq with "{}"): separators inside braces do not split. */
    public static List<String> splitList(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // Postfix's separators: comma, space, tab, CR, LF
            if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
                if (!cur.isEmpty()) out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}' && depth > 0) depth--;
            cur.append(c);
        }
        if (!cur.isEmpty()) out.add(cur.toString());
        return out;
    }
}
