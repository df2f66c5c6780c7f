package org.posthorn.rewrite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;

/**
 * Just enough lookup tables for the rewrite tests (inline:, texthash:, static:, fail:),
 * so that these tests do not depend on the table package, which is written in parallel.
 * Keys are stored as written and matched exactly, as Postfix's texthash does (callers fold
 * the query to lower case).
 */
public final class TestTables {
    private TestTables() {
    }

    public static Table open(String spec) throws TableException {
        int colon = spec.indexOf(':');
        if (colon < 0) throw new TableException("bad table " + spec);
        String type = spec.substring(0, colon);
        String name = spec.substring(colon + 1);
        return switch (type) {
            case "inline" -> fixed(spec, inline(name));
            case "texthash" -> fixed(spec, texthash(name));
            case "static" -> new Table() {
                public String name() {
                    return spec;
                }

                public String lookup(String key) {
                    return name.startsWith("{") ? name.substring(1, name.length() - 1).strip() : name;
                }
            };
            case "fail" -> new Table() {
                public String name() {
                    return spec;
                }

                public String lookup(String key) throws TableException {
                    throw new TableException(spec + ": table lookup problem");
                }
            };
            default -> throw new TableException("unsupported dictionary type: " + type);
        };
    }

    private static Table fixed(String spec, Map<String, String> map) {
        return new Table() {
            public String name() {
                return spec;
            }

            public String lookup(String key) {
                return map.get(key);
            }
        };
    }

    private static Map<String, String> inline(String body) throws TableException {
        String b = body.strip();
        if (!b.startsWith("{") || !b.endsWith("}")) throw new TableException("inline:" + body + ": need { }");
        Map<String, String> map = new HashMap<>();
        for (String item : splitCommas(b.substring(1, b.length() - 1))) {
            String it = item.strip();
            if (it.startsWith("{") && it.endsWith("}")) it = it.substring(1, it.length() - 1).strip();
            int eq = it.indexOf('=');
            if (eq < 0) throw new TableException("inline:" + body + ": missing '=' in " + it);
            map.put(it.substring(0, eq).strip(), it.substring(eq + 1).strip());
        }
        return map;
    }

    private static List<String> splitCommas(String s) {
        List<String> out = new java.util.ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '{') depth++;
            if (c == '}') depth--;
            if (c == ',' && depth == 0) {
                if (!cur.toString().isBlank()) out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.toString().isBlank()) out.add(cur.toString());
        return out;
    }

    private static Map<String, String> texthash(String path) throws TableException {
        Map<String, String> map = new HashMap<>();
        try {
            String key = null;
            StringBuilder value = new StringBuilder();
            for (String line : Files.readAllLines(Path.of(path))) {
                if (line.isBlank() || line.stripLeading().startsWith("#")) continue;
                if (Character.isWhitespace(line.charAt(0)) && key != null) {
                    value.append(' ').append(line.strip());
                    continue;
                }
                if (key != null) map.put(key, value.toString());
                String[] kv = line.strip().split("\\s+", 2);
                key = kv[0];
                value.setLength(0);
                value.append(kv.length > 1 ? kv[1] : "");
            }
            if (key != null) map.put(key, value.toString());
        } catch (IOException e) {
            throw new TableException("texthash:" + path + ": " + e.getMessage(), e);
        }
        return map;
    }

}
