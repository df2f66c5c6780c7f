package org.posthorn.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameter registry: every parameter Postfix 3.7 knows, with its type and default text,
 * read once from parameters.tsv (generated from Postfix by src/build/gen-parameters.py).
 * Defaults that depend on the system (myhostname, mynetworks, ...) are computed by
 * {@link SystemDefaults} when they are asked for.
 */
public final class Defaults {
    /** The version Posthorn reports as mail_version. */
    public static final String POSTHORN_VERSION = "0.1.0";

    /**
     * One registry entry; text is null for a computed default. A raw parameter is not
     * expanded from main.cf (its daemon expands it with its own macros, like forward_path).
     */
    public record Parameter(String name, ParameterType type, char timeUnit, String text, boolean raw) {
        public boolean computed() {
            return text == null;
        }
    }

    private Defaults() {
    }

    /** The entry for name, or null when Postfix has no such built-in parameter. */
    public static Parameter lookup(String name) {
        return Registry.ENTRIES.get(name);
    }

    public static boolean isBuiltin(String name) {
        return Registry.ENTRIES.containsKey(name);
    }

    /**
     * An old parameter name that built-in defaults still refer to (postscreen_blacklist_action
     * for postscreen_denylist_action): known, empty by default, not listed with the others.
     */
    public static boolean isLegacy(String name) {
        return Registry.LEGACY.contains(name);
    }

    /** All built-in parameters in name order. */
    public static Collection<Parameter> all() {
        return Registry.ENTRIES.values();
    }

    /** Loaded on first use only (the holder idiom), so that a lookup-free command starts faster. */
    private static final class Registry {
        static final java.util.Set<String> LEGACY = new java.util.HashSet<>();
        static final Map<String, Parameter> ENTRIES = load();

        private static Map<String, Parameter> load() {
            Map<String, Parameter> out = new LinkedHashMap<>(2048);
            read("parameters.tsv", out, true);
            read("posthorn-parameters.tsv", out, false);
            return Collections.unmodifiableMap(out);
        }

        /** Reads "name TAB type TAB default" lines (the type may end in ":raw"; "legacy" marks old names). */
        private static void read(String resource, Map<String, Parameter> out, boolean required) {
            try (InputStream in = Defaults.class.getResourceAsStream(resource)) {
                if (in == null) {
                    if (required) throw new IllegalStateException("missing resource org/posthorn/config/" + resource);
                    return;
                }
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("#") || line.isEmpty()) continue;
                    int t1 = line.indexOf('\t');
                    int t2 = line.indexOf('\t', t1 + 1);
                    if (t1 < 0 || t2 < 0) throw new IllegalStateException(resource + ": bad line: " + line);
                    String name = line.substring(0, t1);
                    String type = line.substring(t1 + 1, t2);
                    String text = line.substring(t2 + 1);
                    if (type.equals("legacy")) {
                        LEGACY.add(name);
                        continue;
                    }
                    char unit = type.startsWith("time:") ? type.charAt(5) : 's';
                    out.put(name, new Parameter(name, ParameterType.parse(type), unit,
                            text.equals("@computed") ? null : text, type.endsWith(":raw")));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
