package org.posthorn.config;

import java.util.function.Consumer;

/**
 * Postfix 3.7's $name expansion of parameter values: {@code $name}, {@code ${name}},
 * {@code $(name)}, {@code ${name?value}}, {@code ${name:value}}, the braced forms
 * {@code ${name?{v1}:{v2}}}, relational tests {@code ${{a} == {b} ? {v1} : {v2}}} (also
 * {@code !=, <, <=, >, >=}, numeric when both sides are digits, and the {@code level}
 * suffix that compares compatibility levels), and {@code $$} for a dollar sign.
 *
 * <p>Looked-up values are expanded in turn, up to {@value #MAX_DEPTH} levels, which is how a
 * loop ({@code a = $b}, {@code b = $a}) is caught. An undefined name expands to nothing.
 * The "?" and ":" tests look at the unexpanded value, as Postfix does.
 */
final class Expander {
    static final int MAX_DEPTH = 100;

    /** Where names are looked up: the unexpanded value, or null when the name is undefined. */
    interface Lookup {
        String raw(String name);
    }

    private final Lookup lookup;
    private final Consumer<String> scanned;

    private Expander(Lookup lookup, Consumer<String> scanned) {
        this.lookup = lookup;
        this.scanned = scanned;
    }

    /** The expansion of text; throws ParameterException with Postfix's wording on a syntax error or a loop. */
    static String expand(String text, Lookup lookup) {
        if (text.indexOf('$') < 0) return text; // most values: the daemons ask for them per message
        return new Expander(lookup, null).expand(text, 0);
    }

    /**
     * Checks the syntax of text without looking anything up, visiting every branch, and
     * reports each name it references (Postfix's scan for undefined parameters).
     */
    static void scan(String text, Consumer<String> names) {
        new Expander(name -> null, names).expand(text, 0);
    }

    private boolean scanning() {
        return scanned != null;
    }

    private String expand(String text, int depth) {
        StringBuilder out = new StringBuilder(text.length());
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= n) throw new ParameterException("empty macro name: \"" + text + "\"");
            char d = text.charAt(i + 1);
            if (d == '$') {
                out.append('$');
                i += 2;
            } else if (d == '{' || d == '(') {
                char close = d == '{' ? '}' : ')';
                int level = 0;
                int j = i + 1;
                for (; j < n; j++) {
                    char e = text.charAt(j);
                    if (e == d) level++;
                    else if (e == close && --level == 0) break;
                }
                if (j >= n) throw new ParameterException("truncated macro reference: \"" + text + "\"");
                out.append(braced(text.substring(i + 2, j), depth));
                i = j + 1;
            } else if (isNameChar(d)) {
                int j = i + 1;
                while (j < n && isNameChar(text.charAt(j))) j++;
                out.append(value(text.substring(i + 1, j), depth));
                i = j;
            } else {
                throw new ParameterException("empty macro name: \"" + text + "\"");
            }
        }
        return out.toString();
    }

    /** The inside of ${...} or $(...). */
    private String braced(String s, int depth) {
        int n = s.length();
        int p = skipSpace(s, 0);
        String name = null;
        String tested;
        String last;
        if (p < n && s.charAt(p) == '{') {
            int[] end = new int[1];
            String leftText = group(s, p, end);
            String left = expand(leftText, depth);
            String before = leftText + "}";
            p = skipSpace(s, end[0]);
            int opStart = p;
            while (p < n && "=!<>".indexOf(s.charAt(p)) >= 0) p++;
            String op = s.substring(opStart, p);
            if (!op.equals("==") && !op.equals("!=") && !op.equals("<") && !op.equals("<=")
                    && !op.equals(">") && !op.equals(">=")) {
                throw syntax("\"==\" or \"!=\"\" or \"<\"\" or \"<=\"\" or \">=\"\" or \">\" expected", before, s, opStart);
            }
            int suffixStart = p;
            while (p < n && isNameChar(s.charAt(p))) p++;
            String suffix = s.substring(suffixStart, p);
            if (!suffix.isEmpty() && !suffix.equals("level")) throw syntax("bad operator suffix", op, s, suffixStart);
            p = skipSpace(s, p);
            if (p >= n || s.charAt(p) != '{') throw syntax("\"{expression}\" expected", op + suffix, s, p);
            String rightText = group(s, p, end);
            String right = expand(rightText, depth);
            last = rightText + "}";
            p = skipSpace(s, end[0]);
            tested = compare(left, op, !suffix.isEmpty(), right) ? "true" : "";
        } else {
            int nameStart = p;
            while (p < n && isNameChar(s.charAt(p))) p++;
            name = s.substring(nameStart, p);
            last = name;
            if (name.isEmpty()) throw new ParameterException("empty macro name: \"" + s + "\"");
            p = skipSpace(s, p);
            if (p >= n) return value(name, depth);
            tested = scanning() ? "" : lookup.raw(name);
            if (scanning()) scanned.accept(name);
        }
        if (p >= n) return tested;
        char op = s.charAt(p);
        if (op != '?' && op != ':') throw syntax("attribute name syntax error", last, s, p);
        p = skipSpace(s, p + 1);
        boolean nonEmpty = tested != null && !tested.isEmpty();
        int[] end = new int[1];
        if (op == '?') {
            if (p < n && s.charAt(p) == '{') {
                String whenSet = group(s, p, end);
                p = skipSpace(s, end[0]);
                String whenEmpty = "";
                if (p < n) {
                    if (s.charAt(p) != ':') throw syntax("\":\" expected", whenSet + "}", s, p);
                    p = skipSpace(s, p + 1);
                    whenEmpty = optionalGroup(s, p);
                }
                if (scanning()) {
                    expand(whenSet, depth);
                    expand(whenEmpty, depth);
                    return "";
                }
                return expand(nonEmpty ? whenSet : whenEmpty, depth);
            }
            String whenSet = s.substring(p);
            if (scanning()) expand(whenSet, depth);
            return nonEmpty && !scanning() ? expand(whenSet, depth) : "";
        }
        String whenEmpty = optionalGroup(s, p);
        if (scanning()) expand(whenEmpty, depth);
        return !nonEmpty && !scanning() ? expand(whenEmpty, depth) : "";
    }

    /** "{value}" with nothing after it, or the rest of the text as the value. */
    private static String optionalGroup(String s, int p) {
        if (p < s.length() && s.charAt(p) == '{') {
            int[] end = new int[1];
            String v = group(s, p, end);
            int q = skipSpace(s, end[0]);
            if (q < s.length()) throw syntax("unexpected input", v + "}", s, q);
            return v;
        }
        return s.substring(p);
    }

    /** The text inside the braces that open at p, leading white space removed; end[0] is after the '}'. */
    private static String group(String s, int p, int[] end) {
        int level = 0;
        for (int j = p; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '{') level++;
            else if (c == '}' && --level == 0) {
                end[0] = j + 1;
                return s.substring(skipSpace(s, p + 1), j);
            }
        }
        throw new ParameterException("unmatched '{' at: \"" + s.substring(p) + "\"");
    }

    private String value(String name, int depth) {
        if (scanning()) {
            scanned.accept(name);
            return "";
        }
        String raw = lookup.raw(name);
        if (raw == null) return "";
        if (depth + 1 > MAX_DEPTH) throw new ParameterException("unreasonable macro call nesting: \"" + name + "\"");
        return expand(raw, depth + 1);
    }

    private boolean compare(String left, String op, boolean levels, String right) {
        if (scanning()) return false;
        int c;
        if (levels) c = compareLevels(left, right);
        else if (isDigits(left) && isDigits(right)) c = compareNumbers(left, right);
        else c = left.compareTo(right);
        return switch (op) {
            case "==" -> c == 0;
            case "!=" -> c != 0;
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
        };
    }

    /** Compares compatibility levels such as "2", "3.6" and "3.6.1" field by field. */
    static int compareLevels(String a, String b) {
        long[] x = level(a);
        long[] y = level(b);
        for (int i = 0; i < 3; i++) {
            int c = Long.compare(x[i], y[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    private static long[] level(String text) {
        String[] parts = text.strip().split("\\.", -1);
        if (parts.length > 3) throw new ParameterException("malformed compatibility level syntax: \"" + text + "\"");
        long[] out = new long[3];
        for (int i = 0; i < parts.length; i++) {
            if (!isDigits(parts[i]) || parts[i].length() > 9) {
                throw new ParameterException("malformed compatibility level syntax: \"" + text + "\"");
            }
            out[i] = Long.parseLong(parts[i]);
        }
        return out;
    }

    private static int compareNumbers(String a, String b) {
        a = stripZeros(a);
        b = stripZeros(b);
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }

    private static String stripZeros(String s) {
        int i = 0;
        while (i < s.length() - 1 && s.charAt(i) == '0') i++;
        return s.substring(i);
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return true;
    }

    static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    private static int skipSpace(String s, int p) {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) p++;
        return p;
    }

    /** Postfix's way of pointing at a syntax error: "...before>>>after". */
    private static ParameterException syntax(String what, String before, String s, int at) {
        return new ParameterException(what + " at: \"..." + before + ">>>" + s.substring(at) + "\"");
    }
}
