package org.posthorn.table;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Translates a POSIX regular expression, as glibc's regcomp() reads it in the C locale
 * (extended syntax, or basic syntax with the GNU \+ \? \| operators), into java.util.regex
 * syntax with the same meaning: bracket expressions with a literal backslash and a leading
 * ']', POSIX classes, collating symbols, stacked repetition, GNU escapes (\w \s \b \< \>),
 * and anchors that only match at the very ends of the key unless REG_NEWLINE is on.
 */
final class RegexpSyntax {
    /** The Java pattern text and the number of capturing groups. */
    record Translation(String regex, int groups) {
    }

    static final String ERR_BRACKET = "Unmatched [, [^, [:, [., or [=";
    static final String ERR_PAREN = "Unmatched ( or \\(";
    static final String ERR_RPAREN = "Unmatched ) or \\)";
    static final String ERR_BRACE = "Unmatched \\{";
    static final String ERR_INTERVAL = "Invalid content of \\{\\}";
    static final String ERR_PRECEDING = "Invalid preceding regular expression";
    static final String ERR_ESCAPE = "Trailing backslash";
    static final String ERR_CLASS = "Invalid character class name";
    static final String ERR_COLLATE = "Invalid collation character";
    static final String ERR_RANGE = "Invalid range end";
    static final String ERR_BACKREF = "Invalid back reference";
    static final String ERR_TOO_BIG = "Regular expression too big";

    /** glibc's RE_DUP_MAX. */
    private static final int DUP_MAX = 0x7fff;

    /** POSIX character classes of the C locale in java.util.regex (ASCII) form. */
    static final Map<String, String> CLASSES = Map.ofEntries(
            Map.entry("alpha", "\\p{Alpha}"), Map.entry("digit", "0-9"),
            Map.entry("alnum", "\\p{Alnum}"), Map.entry("upper", "\\p{Upper}"),
            Map.entry("lower", "\\p{Lower}"), Map.entry("space", "\\s"),
            Map.entry("blank", " \\t"), Map.entry("punct", "\\p{Punct}"),
            Map.entry("print", "\\p{Print}"), Map.entry("graph", "\\p{Graph}"),
            Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("xdigit", "\\p{XDigit}"));

    private final String re;
    private final boolean extended;
    private final boolean newline;
    private final StringBuilder out = new StringBuilder();
    private int pos;
    /** Output index where the last repeatable item starts, or -1 when there is none. */
    private int atom = -1;
    /** Whether that item already carries a repetition operator. */
    private boolean repeated;
    /** At the start of the expression or of a group or alternative (for BRE anchors and '*'). */
    private boolean branchStart = true;
    private int groups;
    private long closedGroups;
    private final Deque<int[]> open = new ArrayDeque<>();

    private RegexpSyntax(String re, boolean extended, boolean newline) {
        this.re = re;
        this.extended = extended;
        this.newline = newline;
    }

    /**
     * Translates re; extended selects ERE (the default of regexp tables, toggled by the x
     * flag), newline is REG_NEWLINE (the m flag): '.' and non-matching lists then exclude
     * newline and ^ $ also match at embedded newlines. Without it '.' matches newline too,
     * so the Java pattern must be compiled with DOTALL.
     */
    static Translation translate(String re, boolean extended, boolean newline) throws RegexpPatternError {
        RegexpSyntax t = new RegexpSyntax(re, extended, newline);
        t.parse();
        return new Translation(t.out.toString(), t.groups);
    }

    private void parse() throws RegexpPatternError {
        while (pos < re.length()) {
            char c = re.charAt(pos++);
            if (c == '\\') {
                if (pos >= re.length()) throw RegexpPatternError.invalid(ERR_ESCAPE);
                escape(re.charAt(pos++));
                continue;
            }
            if (extended) {
                switch (c) {
                    case '(' -> openGroup();
                    case ')' -> {
                        // glibc reads an unmatched ')' in an ERE as an ordinary character.
                        if (open.isEmpty()) literal(')');
                        else closeGroup();
                    }
                    case '|' -> alternative();
                    case '*', '+', '?' -> repeat(String.valueOf(c));
                    case '{' -> interval(false);
                    case '^' -> anchor(newline ? "(?<![^\\n])" : "^");
                    case '$' -> anchor(newline ? "(?![^\\n])" : "\\z");
                    default -> ordinary(c);
                }
            } else {
                switch (c) {
                    case '*' -> {
                        if (branchStart) literal('*');
                        else repeat("*");
                    }
                    case '^' -> {
                        if (branchStart) {
                            anchor(newline ? "(?<![^\\n])" : "^");
                            // A '*' right after a leading '^' is still an ordinary character.
                            branchStart = true;
                        } else {
                            literal('^');
                        }
                    }
                    case '$' -> {
                        if (atBreEnd()) anchor(newline ? "(?![^\\n])" : "\\z");
                        else literal('$');
                    }
                    default -> ordinary(c);
                }
            }
        }
        if (!open.isEmpty()) throw RegexpPatternError.invalid(ERR_PAREN);
    }

    private boolean atBreEnd() {
        return pos == re.length() || re.startsWith("\\)", pos) || re.startsWith("\\|", pos);
    }

    private void ordinary(char c) throws RegexpPatternError {
        if (c == '.') {
            item(".");
        } else if (c == '[') {
            bracket();
        } else {
            literal(c);
        }
    }

    private void escape(char d) throws RegexpPatternError {
        if (!extended) {
            switch (d) {
                case '(' -> {
                    openGroup();
                    return;
                }
                case ')' -> {
                    closeGroup();
                    return;
                }
                case '|' -> {
                    alternative();
                    return;
                }
                case '{' -> {
                    interval(true);
                    return;
                }
                case '+', '?' -> {
                    if (branchStart) literal(d);
                    else repeat(String.valueOf(d));
                    return;
                }
                default -> {
                }
            }
        }
        switch (d) {
            case '1', '2', '3', '4', '5', '6', '7', '8', '9' -> {
                int n = d - '0';
                if (n > groups || (closedGroups & (1L << n)) == 0) throw RegexpPatternError.invalid(ERR_BACKREF);
                item("(?:\\" + n + ")");
            }
            case 'w' -> item("\\w");
            case 'W' -> item("\\W");
            case 's' -> item("\\s");
            case 'S' -> item("\\S");
            case 'b' -> anchor("\\b");
            case 'B' -> anchor("\\B");
            case '<' -> anchor("\\b(?=\\w)");
            case '>' -> anchor("\\b(?<=\\w)");
            case '`' -> anchor("\\A");
            case '\'' -> anchor("\\z");
            default -> literal(d);
        }
    }

    private void item(String javaText) {
        atom = out.length();
        repeated = false;
        branchStart = false;
        out.append(javaText);
    }

    private void literal(char c) {
        item(quote(c));
    }

    private void anchor(String javaText) {
        atom = -1;
        branchStart = false;
        out.append(javaText);
    }

    private void openGroup() {
        groups++;
        open.push(new int[] {out.length(), groups});
        out.append('(');
        atom = -1;
        branchStart = true;
    }

    private void closeGroup() throws RegexpPatternError {
        if (open.isEmpty()) throw RegexpPatternError.invalid(ERR_RPAREN);
        int[] g = open.pop();
        out.append(')');
        if (g[1] < 64) closedGroups |= 1L << g[1];
        atom = g[0];
        repeated = false;
        branchStart = false;
    }

    private void alternative() {
        out.append('|');
        atom = -1;
        branchStart = true;
    }

    private void repeat(String op) throws RegexpPatternError {
        if (atom < 0) throw RegexpPatternError.invalid(ERR_PRECEDING);
        if (repeated) {
            // glibc applies stacked operators in turn ("a+?" is "(a+)?"); Java would read a
            // lazy or possessive quantifier, so group the repeated item first.
            out.insert(atom, "(?:").append(')');
        }
        out.append(op);
        repeated = true;
        branchStart = false;
    }

    /** A {m,n} interval; bre says the braces are written \{ \}. */
    private void interval(boolean bre) throws RegexpPatternError {
        if (atom < 0) {
            if (!extended && branchStart) {
                literal('{');
                return;
            }
            throw RegexpPatternError.invalid(ERR_PRECEDING);
        }
        int close = re.indexOf(bre ? "\\}" : "}", pos);
        if (close < 0) throw RegexpPatternError.invalid(ERR_BRACE);
        String body = re.substring(pos, close);
        pos = close + (bre ? 2 : 1);
        int comma = body.indexOf(',');
        String lo = comma < 0 ? body : body.substring(0, comma);
        String hi = comma < 0 ? body : body.substring(comma + 1);
        if (!digits(lo, comma >= 0) || !digits(hi, comma >= 0)) throw RegexpPatternError.invalid(ERR_INTERVAL);
        int min = lo.isEmpty() ? 0 : parseCount(lo);
        int max = hi.isEmpty() ? -1 : parseCount(hi);
        if (max >= 0 && max < min) throw RegexpPatternError.invalid(ERR_INTERVAL);
        repeat("{" + min + (comma < 0 ? "" : "," + (max < 0 ? "" : String.valueOf(max))) + "}");
    }

    private static boolean digits(String s, boolean mayBeEmpty) {
        if (s.isEmpty()) return mayBeEmpty;
        return s.chars().allMatch(ch -> ch >= '0' && ch <= '9');
    }

    private static int parseCount(String s) throws RegexpPatternError {
        if (s.length() > 6 || Integer.parseInt(s) > DUP_MAX) throw RegexpPatternError.invalid(ERR_TOO_BIG);
        return Integer.parseInt(s);
    }

    /** A bracket expression; pos is just after '['. */
    private void bracket() throws RegexpPatternError {
        StringBuilder cls = new StringBuilder("[");
        if (pos < re.length() && re.charAt(pos) == '^') {
            cls.append('^');
            // REG_NEWLINE: a non-matching list never matches newline.
            if (newline) cls.append("\\n");
            pos++;
        }
        boolean first = true;
        while (true) {
            if (pos >= re.length()) throw RegexpPatternError.invalid(ERR_BRACKET);
            char c = re.charAt(pos);
            if (c == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            if (c == '[' && pos + 1 < re.length() && re.charAt(pos + 1) == ':') {
                int end = re.indexOf(":]", pos + 2);
                if (end < 0) throw RegexpPatternError.invalid(ERR_BRACKET);
                String java = CLASSES.get(re.substring(pos + 2, end));
                if (java == null) throw RegexpPatternError.invalid(ERR_CLASS);
                pos = end + 2;
                if (pos + 1 < re.length() && re.charAt(pos) == '-' && re.charAt(pos + 1) != ']') {
                    throw RegexpPatternError.invalid(ERR_RANGE);
                }
                cls.append(java);
                continue;
            }
            char lo = element();
            if (pos + 1 < re.length() && re.charAt(pos) == '-' && re.charAt(pos + 1) != ']') {
                pos++;
                char hi = element();
                if (hi < lo) throw RegexpPatternError.invalid(ERR_RANGE);
                cls.append(classChar(lo)).append('-').append(classChar(hi));
            } else {
                cls.append(classChar(lo));
            }
        }
        item(cls.append(']').toString());
    }

    /** One bracket element: a character, a collating symbol [.c.] or an equivalence class [=c=]. */
    private char element() throws RegexpPatternError {
        char c = re.charAt(pos);
        if (c == '[' && pos + 1 < re.length() && (re.charAt(pos + 1) == '.' || re.charAt(pos + 1) == '=')) {
            char kind = re.charAt(pos + 1);
            int end = re.indexOf(kind + "]", pos + 2);
            if (end < 0) throw RegexpPatternError.invalid(ERR_BRACKET);
            String name = re.substring(pos + 2, end);
            // The C locale has single-character collating elements only.
            if (name.length() != 1) throw RegexpPatternError.invalid(ERR_COLLATE);
            pos = end + 2;
            return name.charAt(0);
        }
        pos++;
        return c;
    }

    /** A character as literal Java regex text outside a class. */
    static String quote(char c) {
        if (RegexpLines.isAlnum(c)) return String.valueOf(c);
        if (c > ' ' && c < 0x7f) return "\\" + c;
        return String.format("\\x{%x}", (int) c);
    }

    /** A character as literal Java regex text inside a class. */
    static String classChar(char c) {
        return RegexpLines.isAlnum(c) ? String.valueOf(c) : String.format("\\x{%x}", (int) c);
    }
}
