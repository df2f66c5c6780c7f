package org.posthorn.cleanup;

import java.util.List;
import java.util.Locale;
import org.posthorn.config.Config;
import org.posthorn.table.Maps;
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

    private final Maps maps;

    public ContentCheck(Maps maps) {
        this.maps = maps;
    }

    public static ContentCheck open(String parameter, List<String> specs, Config config) throws TableException {
        return new ContentCheck(Maps.open(parameter, specs, config));
    }

    public String parameter() {
        return maps.title();
    }

    public boolean isEmpty() {
        return maps.isEmpty();
    }

    /** Whether both name the same tables (mime_header_checks = $header_checks). */
    boolean sameTables(ContentCheck other) {
        return other != null && maps.tables().stream().map(Table::name).toList()
                .equals(other.maps.tables().stream().map(Table::name).toList());
    }

    /**
     * The first table's value for a header (all its lines joined with newlines) or body
     * line, or null when no table matches.
     */
    public String match(String input) throws TableException {
        Maps.Match m = maps.find(input, false);
        return m == null ? null : m.value();
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
