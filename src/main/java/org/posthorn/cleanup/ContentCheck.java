package org.posthorn.cleanup;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.posthorn.config.Config;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;

/**
 * One of header_checks, mime_header_checks, nested_header_checks or body_checks: its tables
 * and the parsing of the action a matching pattern returns (header_checks(5)).
 */
public final class ContentCheck {
    /** The actions of header_checks(5) that cleanup performs. */
    public enum Verb { REJECT, WARN, IGNORE, HOLD, DISCARD, REPLACE, PREPEND, FILTER, REDIRECT, BCC, DUNNO, INFO }

    /** A parsed action: the verb and its text (empty when none). */
    public record Action(Verb verb, String text) {
    }

    private final String parameter;
    private final List<Table> tables;

    public ContentCheck(String parameter, List<Table> tables) {
        this.parameter = parameter;
        this.tables = tables;
    }

    public static ContentCheck open(String parameter, List<String> specs, Config config, TableOpener opener)
            throws TableException {
        List<Table> tables = new ArrayList<>();
        for (String spec : specs) tables.add(opener.open(spec, config));
        return new ContentCheck(parameter, tables);
    }

    public String parameter() {
        return parameter;
    }

    public boolean isEmpty() {
        return tables.isEmpty();
    }

    /** Whether both name the same tables (mime_header_checks = $header_checks). */
    boolean sameTables(ContentCheck other) {
        return other != null && tables.stream().map(Table::name).toList()
                .equals(other.tables.stream().map(Table::name).toList());
    }

    /**
     * The first table's value for a header (all its lines joined with newlines) or body
     * line, or null when no table matches.
     */
    public String match(String input) throws TableException {
        for (Table t : tables) {
            String v = t.lookup(input);
            if (v != null) return v;
        }
        return null;
    }

    /**
     * Parses a table value into an action; null with a reason for an unknown action
     * (Postfix logs a warning and lets the line pass).
     */
    public static Action parse(String value) {
        String v = value.strip();
        int sp = 0;
        while (sp < v.length() && !Character.isWhitespace(v.charAt(sp))) sp++;
        String word = v.substring(0, sp).toUpperCase(Locale.ROOT);
        String text = v.substring(sp).strip();
        if (word.equals("OK")) word = "DUNNO";
        try {
            return new Action(Verb.valueOf(word), text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
