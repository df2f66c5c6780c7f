package org.posthorn.address;

import org.posthorn.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;

/**
 * A Postfix list parameter matched against a name (mydestination, relay_domains,
 * virtual_alias_domains ...): patterns separated by commas or white space, each a string,
 * a "/file/name" whose lines are read as more patterns, or a "type:table" looked up by key;
 * "!" before a pattern inverts it; the first matching pattern decides. Matching is case
 * insensitive.
 *
 * <p>A {@link Kind#STRING} list matches whole strings only (Postfix's string_list). A
 * {@link Kind#HOSTNAME} list (domain_list) also matches subdomains: with parent matching
 * (the parameter is in parent_domain_matches_subdomains) "example.com" matches
 * "sub.example.com"; without, only ".example.com" does. Tables in a hostname list are
 * also asked for the parent domains (fixed-key tables only).
 */
public final class MatchList {
    public enum Kind { STRING, HOSTNAME }

    private record Pattern(boolean negate, String text, Table table) {
    }

    private final String name;
    private final Kind kind;
    private final boolean parentMatch;
    private final List<Pattern> patterns = new ArrayList<>();

    /**
     * @param name        the parameter name, for messages
     * @param value       the parameter value (expanded)
     * @param parentMatch whether "domain" also matches its subdomains (HOSTNAME lists)
     */
    public MatchList(String name, String value, Kind kind, boolean parentMatch, TableOpener opener)
            throws TableException {
        this.name = name;
        this.kind = kind;
        this.parentMatch = parentMatch;
        parse(value, opener, 0);
    }

    /** Whether parameter name is listed in parent_domain_matches_subdomains. */
    public static boolean parentStyle(String parameter, List<String> parentDomainMatchesSubdomains) {
        return parentDomainMatchesSubdomains.contains(parameter);
    }

    private void parse(String value, TableOpener opener, int depth) throws TableException {
        for (String item : Config.splitList(value)) {
            if (item.startsWith("/")) {
                if (depth > 10) throw new TableException(name + ": file " + item + " nested too deeply");
                try {
                    for (String line : Files.readAllLines(Path.of(item))) {
                        if (!line.startsWith("#")) parse(line, opener, depth + 1);
                    }
                } catch (IOException e) {
                    throw new TableException(name + ": open file " + item + ": " + e.getMessage(), e);
                }
                continue;
            }
            boolean negate = false;
            String text = item;
            while (text.startsWith("!")) {
                negate = !negate;
                text = text.substring(1);
            }
            if (isTable(text)) {
                patterns.add(new Pattern(negate, text, opener.open(text)));
            } else {
                patterns.add(new Pattern(negate, text.toLowerCase(Locale.ROOT), null));
            }
        }
    }

    static boolean isTable(String pattern) {
        return !pattern.startsWith("[") && pattern.indexOf(':') >= 0;
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** Whether the name matches; a table that cannot answer now throws. */
    public boolean matches(String subject) throws TableException {
        String lower = subject.toLowerCase(Locale.ROOT);
        for (Pattern p : patterns) {
            boolean hit = p.table != null ? tableMatch(p.table, lower) : textMatch(lower, p.text);
            if (hit) return !p.negate;
        }
        return false;
    }

    private boolean textMatch(String subject, String pattern) {
        if (subject.equals(pattern)) return true;
        if (kind == Kind.STRING) return false;
        int start = subject.length() - pattern.length();
        if (parentMatch) return start > 0 && subject.charAt(start - 1) == '.' && subject.endsWith(pattern);
        return pattern.startsWith(".") && start > 0 && subject.endsWith(pattern);
    }

    private boolean tableMatch(Table table, String subject) throws TableException {
        if (kind == Kind.STRING) return table.lookup(subject) != null;
        // the name itself, then its parents: ".parent" (or "parent" with parent matching)
        String entry = subject;
        for (boolean first = true; ; first = false) {
            if ((first || table.fixedKeys()) && table.lookup(entry) != null) return true;
            int dot = entry.indexOf('.', 1);
            if (dot < 0) return false;
            entry = parentMatch ? entry.substring(dot + 1) : entry.substring(dot);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
