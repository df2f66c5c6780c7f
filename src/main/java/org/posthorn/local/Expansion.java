package org.posthorn.local;

import java.util.Map;
import java.util.function.Function;

/**
 * Postfix's $name expansion for forward_path, luser_relay, mailbox_command and pipe(8)
 * arguments: {@code $name}, {@code ${name}}, {@code $(name)}, {@code ${name?text}} (text
 * when name is non-empty), {@code ${name:text}} (text when name is empty), {@code $$} for a
 * dollar. Attribute values pass through a filter: characters not in the allowed set become
 * '_' (forward_expansion_filter, command_expansion_filter).
 */
public final class Expansion {
    private final Function<String, String> lookup;
    private final String allowed;
    private boolean undefined;
    private boolean strict;

    /**
     * @param lookup  a name's value, or null when the name is unknown (expands to nothing)
     * @param allowed the characters left as they are in values, or null for no filtering
     */
    public Expansion(Function<String, String> lookup, String allowed) {
        this.lookup = lookup;
        this.allowed = allowed;
    }

    public static Expansion of(Map<String, String> values, String allowed) {
        return new Expansion(values::get, allowed);
    }

    /**
     * As Postfix's pipe(8) parses its arguments: a '$' that starts no name ("$@", a trailing
     * "$") is an error ("empty macro name") instead of plain text; "$$" is a dollar.
     */
    public Expansion strict() {
        strict = true;
        return this;
    }

    /**
     * The expanded text, or null when it names an attribute that has no value (forward_path
     * skips such an entry, as Postfix does for $extension without an extension).
     */
    public String expandDefined(String text) {
        undefined = false;
        String out = expand(text);
        return undefined ? null : out;
    }

    /** The expanded text; an unbalanced brace is an {@link IllegalArgumentException}. */
    public String expand(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                if (c == '$' && strict) throw new IllegalArgumentException("empty macro name: \"" + text + "\"");
                out.append(c);
                i++;
                continue;
            }
            char n = text.charAt(i + 1);
            if (n == '$') {
                out.append('$');
                i += 2;
            } else if (n == '{' || n == '(') {
                char close = n == '{' ? '}' : ')';
                int end = matching(text, i + 1, n, close);
                if (end < 0) throw new IllegalArgumentException("unbalanced '" + n + "' in: " + text);
                out.append(reference(text.substring(i + 2, end)));
                i = end + 1;
            } else if (Character.isLetterOrDigit(n) || n == '_') {
                int end = i + 1;
                while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) end++;
                out.append(value(text.substring(i + 1, end), true));
                i = end;
            } else {
                if (strict) throw new IllegalArgumentException("empty macro name: \"" + text + "\"");
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private String reference(String inner) {
        int q = indexOfOperator(inner);
        if (q < 0) return value(inner.strip(), true);
        String v = value(inner.substring(0, q).strip(), false);
        String branch = inner.substring(q + 1);
        return inner.charAt(q) == '?' ? (v.isEmpty() ? "" : expand(branch)) : (v.isEmpty() ? expand(branch) : v);
    }

    private static int indexOfOperator(String inner) {
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '?' || c == ':') return i;
            if (!Character.isLetterOrDigit(c) && c != '_' && !Character.isWhitespace(c)) return -1;
        }
        return -1;
    }

    private String value(String name, boolean plain) {
        String v = lookup.apply(name);
        if (v == null) {
            if (plain) undefined = true;
            return "";
        }
        if (allowed == null) return v;
        StringBuilder b = new StringBuilder(v.length());
        for (char c : v.toCharArray()) b.append(allowed.indexOf(c) >= 0 ? c : '_');
        return b.toString();
    }

    private static int matching(String text, int open, char o, char c) {
        int depth = 0;
        for (int j = open; j < text.length(); j++) {
            if (text.charAt(j) == o) depth++;
            else if (text.charAt(j) == c && --depth == 0) return j;
        }
        return -1;
    }
}
