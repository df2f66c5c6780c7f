package org.posthorn.table;

import org.posthorn.config.Config;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** The table types whose whole content is their name: inline, static, randmap, environ and fail. */
final class SmallTables {
    private SmallTables() {
    }

    /** inline:{ key=value, { key = value with spaces } } (Postfix 3.0). */
    static Table inline(String spec, String body, KeyFold fold) throws TableException {
        String need = "; need \"inline:{name=value...}\"";
        String in = Braces.inner(body);
        if (in == null || in.isEmpty()) throw new TableException("bad syntax: \"" + spec + "\"" + need);
        Map<String, String> map = new LinkedHashMap<>();
        for (String element : Config.splitList(in)) {
            // Postfix's split_nameval: the name ends at white space or '=', then '=' must follow;
            // a later entry replaces an earlier one
            String pair = Braces.ungroup(element).strip();
            int end = 0;
            while (end < pair.length() && pair.charAt(end) != '=' && !SourceLines.isSpace(pair.charAt(end))) end++;
            int eq = end;
            while (eq < pair.length() && SourceLines.isSpace(pair.charAt(eq))) eq++;
            if (eq >= pair.length() || pair.charAt(eq) != '=') {
                throw new TableException("missing '=' after attribute name: \"" + spec + "\"" + need);
            }
            map.put(fold.apply(pair.substring(0, end)), pair.substring(eq + 1).strip());
        }
        return new MemoryTable(spec, fold, map);
    }

    /** static:value and static:{ value with spaces }: every key finds the value. */
    static Table fixedValue(String spec, String body) throws TableException {
        String value = body;
        if (body.startsWith("{")) {
            value = Braces.inner(body);
            if (value == null) throw new TableException("bad static:name syntax: missing '}' in \"" + body + "\"");
        }
        String v = value;
        return new Table() {
            @Override
            public String name() {
                return spec;
            }

            @Override
            public String lookup(String key) {
                return v;
            }
        };
    }

    /** randmap:{v1, v2, ...}: every key finds one of the values at random (load spreading). */
    static Table random(String spec, String body) throws TableException {
        String in = Braces.inner(body);
        List<String> values = in == null ? List.of() : Config.splitList(in);
        if (values.isEmpty()) throw new TableException("bad syntax: \"" + spec + "\"; need \"randmap:{value...}\"");
        return new Table() {
            @Override
            public String name() {
                return spec;
            }

            @Override
            public boolean fixedKeys() {
                return false;
            }

            @Override
            public String lookup(String key) {
                return values.get(ThreadLocalRandom.current().nextInt(values.size()));
            }
        };
    }

    /** environ:name: the process environment. */
    static Table environ(String spec, KeyFold fold) {
        return new FoldedTable(spec, fold) {
            @Override
            String get(String key) {
                return System.getenv(key);
            }
        };
    }

    /** fail:name: every lookup fails, to test how callers handle a broken table. */
    static Table fail(String spec) {
        return new Table() {
            @Override
            public String name() {
                return spec;
            }

            @Override
            public String lookup(String key) throws TableException {
                throw new TableException("table " + spec + ": query error: Application error");
            }

            @Override
            public List<Map.Entry<String, String>> entries() throws TableException {
                throw new TableException("table " + spec + ": sequence error: Application error");
            }
        };
    }
}
