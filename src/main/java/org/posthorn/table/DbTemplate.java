package org.posthorn.table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.posthorn.config.Config;

/**
 * The query and result templates of the database tables (pgsql, mysql, memcache's key_format),
 * expanded as Postfix's db_common does: %s the whole string, %u its local part, %d its domain,
 * %[1-9] the domain's labels counted from the right, %S %U %D the lookup key in a result
 * template, %% a percent sign. A key that lacks a part the template needs is not looked up
 * at all; a result value that lacks one is left out.
 */
final class DbTemplate {
    private final String table;
    private final String query;
    private final String result;
    private final Consumer<String> warn;
    private boolean keyUser;
    private boolean keyDomain;
    private boolean valueUser;
    private boolean valueDomain;
    private int labels;
    private final List<String> domains;

    /**
     * @param table  "type:name" for messages
     * @param query  the query (or key_format) template, applied to the lookup key
     * @param result the result_format template, or null when values are returned as they are
     * @param domain the "domain" setting: lookups only for user@domain keys with one of these domains
     */
    DbTemplate(String table, String query, String result, String domain, Consumer<String> warn) throws TableException {
        this.table = table;
        this.query = query;
        this.result = result;
        this.warn = warn;
        parse(query, true);
        if (result != null) parse(result, false);
        this.domains = domain == null || domain.isBlank() ? null : Config.splitList(domain);
    }

    private void parse(String format, boolean isQuery) throws TableException {
        for (int i = 0; i < format.length(); i++) {
            if (format.charAt(i) != '%') continue;
            char c = ++i < format.length() ? format.charAt(i) : 0;
            switch (c) {
                case '%', 's', 'S' -> { }
                case 'u' -> {
                    if (isQuery) keyUser = true;
                    else valueUser = true;
                }
                case 'd' -> {
                    if (isQuery) keyDomain = true;
                    else valueDomain = true;
                }
                case 'U' -> keyUser = true;
                case 'D' -> keyDomain = true;
                default -> {
                    if (c < '1' || c > '9') {
                        String name = table.substring(table.indexOf(':') + 1);
                        throw new TableException("db_common_parse: " + name + ": Invalid "
                                + (isQuery ? "query" : "result") + " template: " + format);
                    }
                    labels = Math.max(labels, c - '0');
                    keyDomain = true;
                }
            }
        }
    }

    /**
     * Whether the "domain" list lets this key be looked up: no list, or a user@domain key with
     * a non-empty local part whose domain is listed (names, /file/names, type:table entries).
     */
    boolean domainAllows(String key, Config config) throws TableException {
        if (domains == null) return true;
        int at = key.lastIndexOf('@');
        if (at <= 0) return false;
        String domain = key.substring(at + 1);
        return DomainList.matches(domains, domain, config);
    }

    /**
     * Whether the key has what the query needs (a local part, a domain, enough labels); an
     * empty key is warned about, as Postfix does. Checked before any connection is made.
     */
    boolean accepts(String key) {
        if (key.isEmpty()) {
            warn.accept("table \"" + table + "\": empty query string -- ignored");
            return false;
        }
        return Parts.of(key, keyUser || keyDomain).has(keyUser, keyDomain, labels);
    }

    /** The query for a key with each expansion quoted by {@code quote}, or null when the key lacks a needed part. */
    String query(String key, UnaryOperator<String> quote) {
        if (key.isEmpty()) return null;
        Parts k = Parts.of(key, keyUser || keyDomain);
        if (!k.has(keyUser, keyDomain, labels)) return null;
        StringBuilder out = new StringBuilder();
        expand(out, query, k, k, quote);
        return out.toString();
    }

    /**
     * Appends one result value through result_format (joined with commas); false when the value
     * is null, empty (warned about, as Postfix does) or lacks a part the format needs.
     */
    boolean appendResult(StringBuilder out, String value, String key) {
        if (value == null) return false;
        if (value.isEmpty()) {
            warn.accept("table \"" + table + "\": empty lookup result for: \"" + key + "\" -- ignored");
            return false;
        }
        String format = result == null ? "%s" : result;
        Parts v = Parts.of(value, valueUser || valueDomain);
        if (!v.has(valueUser, valueDomain, 0)) return false;
        Parts k = Parts.of(key, keyUser || keyDomain);
        if (!k.has(keyUser, keyDomain, labels)) return false;
        if (!out.isEmpty()) out.append(',');
        expand(out, format, v, k, UnaryOperator.identity());
        return true;
    }

    /** A string split at its last '@' as db_common splits it, with its domain's labels. */
    private record Parts(String whole, String user, String domain, String[] labels) {
        static Parts of(String s, boolean split) {
            int at = split ? s.lastIndexOf('@') : -1;
            if (at < 0) return new Parts(s, null, null, null);
            String domain = s.substring(at + 1);
            // Postfix splits the domain into labels skipping empty ones ("a..b" has two)
            String[] labels = java.util.Arrays.stream(domain.split("\\.")).filter(l -> !l.isEmpty()).toArray(String[]::new);
            return new Parts(s, s.substring(0, at), domain, labels);
        }

        /** Whether the parts a template needs are there: a domain, a non-empty local part, enough labels. */
        boolean has(boolean needUser, boolean needDomain, int needLabels) {
            if (needDomain && (domain == null || domain.isEmpty())) return false;
            if (needUser && user != null && user.isEmpty()) return false;
            if (needLabels > 0) {
                if (labels.length < needLabels) return false;
            }
            return true;
        }

        String userOrWhole() {
            return user != null ? user : whole;
        }
    }

    private static void expand(StringBuilder out, String format, Parts v, Parts k, UnaryOperator<String> quote) {
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char e = format.charAt(++i);
            switch (e) {
                case '%' -> out.append('%');
                case 's' -> out.append(quote.apply(v.whole));
                case 'u' -> out.append(quote.apply(v.userOrWhole()));
                case 'd' -> out.append(quote.apply(v.domain));
                case 'S' -> out.append(quote.apply(k.whole));
                case 'U' -> out.append(quote.apply(k.userOrWhole()));
                case 'D' -> out.append(quote.apply(k.domain));
                default -> out.append(quote.apply(k.labels[k.labels.length - (e - '0')]));
            }
        }
    }

    /** The "domain" setting's list: names matched case-insensitively, /file/name contents, type:table lookups, !negation. */
    static final class DomainList {
        private DomainList() {
        }

        static boolean matches(List<String> entries, String domain, Config config) throws TableException {
            for (String entry : expandFiles(entries)) {
                boolean negate = entry.startsWith("!");
                String e = negate ? entry.substring(1) : entry;
                boolean hit;
                if (e.indexOf(':') > 0) {
                    hit = TableFactory.open(e, config).lookup(domain) != null;
                } else {
                    hit = e.equalsIgnoreCase(domain);
                }
                if (hit) return !negate;
            }
            return false;
        }

        private static List<String> expandFiles(List<String> entries) throws TableException {
            List<String> out = new ArrayList<>();
            for (String e : entries) {
                if (!e.startsWith("/")) {
                    out.add(e);
                    continue;
                }
                for (SourceLines.Line line : TableFactory.sourceLines(e, TableFactory::warn)) {
                    out.addAll(Config.splitList(line.text()));
                }
            }
            return out;
        }
    }
}
