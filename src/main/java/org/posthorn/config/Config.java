package org.posthorn.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One view of the configuration: main.cf, then a service's -o overrides, over the built-in
 * defaults. Values come back with $name expansion done. Typed getters follow Postfix's
 * parameter types (time with units s m h d w, sizes in bytes, lists split on commas and
 * white space).
 *
 * <p>FOUNDATION STUB: a minimal parser so that the other packages compile against this API;
 * the configuration work replaces the internals (full expansion syntax, the parameter
 * registry, warnings) and keeps these method signatures.
 */
public final class Config {
    private final Path configDir;
    private final Map<String, String> values;

    private Config(Path configDir, Map<String, String> values) {
        this.configDir = configDir;
        this.values = values;
    }

    /** Reads main.cf in configDir; a missing main.cf means all defaults. */
    public static Config load(Path configDir) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        Path mainCf = configDir.resolve("main.cf");
        if (Files.exists(mainCf)) {
            String name = null;
            StringBuilder value = new StringBuilder();
            for (String line : Files.readAllLines(mainCf)) {
                if (line.isBlank() || line.stripLeading().startsWith("#")) continue;
                if (Character.isWhitespace(line.charAt(0)) && name != null) {
                    value.append(' ').append(line.strip());
                    continue;
                }
                if (name != null) values.put(name, value.toString().strip());
                int eq = line.indexOf('=');
                name = eq < 0 ? null : line.substring(0, eq).strip();
                value.setLength(0);
                if (eq >= 0) value.append(line.substring(eq + 1).strip());
            }
            if (name != null) values.put(name, value.toString().strip());
        }
        return new Config(configDir, values);
    }

    /** A configuration from explicit values, for tests and tools. */
    public static Config of(Path configDir, Map<String, String> values) {
        return new Config(configDir, new LinkedHashMap<>(values));
    }

    public Path configDir() {
        return configDir;
    }

    /** A view with a service's -o name=value overrides on top. */
    public Config withOverrides(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        merged.putAll(overrides);
        return new Config(configDir, merged);
    }

    /** The expanded value; the default when unset; "" for an unknown parameter. */
    public String get(String name) {
        return expand(raw(name), new HashMap<>());
    }

    /** The unexpanded value or default text; null for an unknown, unset parameter. */
    public String raw(String name) {
        String v = values.get(name);
        return v != null ? v : Defaults.TEXT.get(name);
    }

    public boolean getBool(String name) {
        String v = get(name).strip();
        return v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("true") || v.equals("1");
    }

    public int getInt(String name) {
        return Integer.parseInt(get(name).strip());
    }

    /** A time value in seconds; the unit letter defaults to seconds. */
    public long getTime(String name) {
        String v = get(name).strip();
        char unit = Character.isLetter(v.charAt(v.length() - 1)) ? v.charAt(v.length() - 1) : 's';
        String digits = Character.isLetter(unit) && v.length() > 0 && Character.isLetter(v.charAt(v.length() - 1))
                ? v.substring(0, v.length() - 1) : v;
        long n = Long.parseLong(digits);
        return switch (Character.toLowerCase(unit)) {
            case 'm' -> n * 60;
            case 'h' -> n * 3600;
            case 'd' -> n * 86400;
            case 'w' -> n * 604800;
            default -> n;
        };
    }

    public long getSize(String name) {
        return Long.parseLong(get(name).strip());
    }

    /** The value split on commas and white space, empty elements dropped. */
    public List<String> getList(String name) {
        List<String> out = new ArrayList<>();
        for (String s : get(name).split("[,\\s]+")) if (!s.isEmpty()) out.add(s);
        return out;
    }

    private String expand(String text, Map<String, Boolean> seen) {
        if (text == null) return "";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                continue;
            }
            int start = i + 1;
            String ref;
            if (text.charAt(start) == '{' || text.charAt(start) == '(') {
                int end = text.indexOf(text.charAt(start) == '{' ? '}' : ')', start);
                ref = text.substring(start + 1, end);
                i = end;
            } else {
                int end = start;
                while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) end++;
                ref = text.substring(start, end);
                i = end - 1;
            }
            if (seen.put(ref, true) == null) {
                out.append(expand(raw(ref), seen));
                seen.remove(ref);
            }
        }
        return out.toString();
    }
}
