package org.posthorn.table;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Translates a PCRE2 pattern (8-bit, non-UTF, C locale, as Postfix's pcre tables compile it)
 * into java.util.regex syntax with the same meaning. Constructs whose meaning differs are
 * rewritten: POSIX classes, [[:<:]] and [[:>:]], the x flag (handled here because Java's
 * comments mode also drops white space inside classes), ungreedy mode, no-auto-capture
 * mode, dollar-end-only, named groups and \g / \k references (turned into numbers, since
 * PCRE allows names Java does not), octal and \o{} escapes, '{' that is no quantifier,
 * (?#...) comments, callouts (a no-op in Postfix) and \K (it only moves $0, which Postfix
 * never substitutes). Constructs java.util.regex cannot express (recursion, subroutine
 * calls, conditionals, branch reset, backtracking verbs, duplicate names) are refused with
 * {@link RegexpPatternError#unsupported}.
 */
final class PcreSyntax {
    /** The Java pattern text and the number of capturing groups. */
    record Translation(String regex, int groups) {
    }

    /** Options that this class applies itself, per group, as PCRE scopes them. */
    private record Scope(int extended, boolean ungreedy, boolean noCapture, boolean multiline) {
    }

    /** The POSIX classes of regexp tables, and PCRE's two extra ones. */
    private static final Map<String, String> POSIX = posixClasses();

    /** Properties whose meaning Java's case-insensitive mode would change. */
    private static final java.util.regex.Pattern CASED = java.util.regex.Pattern.compile("\\{(Lu|Ll|Lt)}");

    private final String re;
    private final boolean dollarEndOnly;
    private final Map<String, Integer> names;
    private final int totalGroups;
    private final boolean scanning;
    private final StringBuilder out = new StringBuilder();
    private final Deque<Scope> scopes = new ArrayDeque<>();
    private Scope scope;
    private int pos;
    private int groups;
    /** Whether the last item may take a quantifier (not at a start, after an anchor or a quantifier). */
    private boolean repeatable;
    private final Map<String, Integer> seenNames = new HashMap<>();

    private static Map<String, String> posixClasses() {
        Map<String, String> classes = new HashMap<>(RegexpSyntax.CLASSES);
        classes.put("word", "\\w");
        classes.put("ascii", "\\x00-\\x7f");
        return Map.copyOf(classes);
    }

    private PcreSyntax(String re, Scope initial, boolean dollarEndOnly, Map<String, Integer> names,
                       int totalGroups, boolean scanning) {
        this.re = re;
        this.scope = initial;
        this.dollarEndOnly = dollarEndOnly;
        this.names = names;
        this.totalGroups = totalGroups;
        this.scanning = scanning;
    }

    /**
     * Translates re under the table flags: x (extended), U (ungreedy), E (dollar-end-only),
     * m (multiline, needed to know when E applies). The i, s and m flags themselves become
     * Java compile flags; the caller sets them.
     */
    static Translation translate(String re, boolean extended, boolean ungreedy, boolean dollarEndOnly,
                                 boolean multiline) throws RegexpPatternError {
        Scope initial = new Scope(extended ? 1 : 0, ungreedy, false, multiline);
        // A first pass numbers the groups and learns the names, so that references may
        // point forward and \10 can be told from an octal escape, as PCRE does.
        PcreSyntax scan = new PcreSyntax(re, initial, dollarEndOnly, Map.of(), Integer.MAX_VALUE, true);
        scan.parse();
        PcreSyntax t = new PcreSyntax(re, initial, dollarEndOnly, scan.seenNames, scan.groups, false);
        t.parse();
        return new Translation(t.out.toString(), t.groups);
    }

    private void parse() throws RegexpPatternError {
        while (pos < re.length()) {
            char c = re.charAt(pos++);
            if (scope.extended > 0) {
                if (RegexpLines.isSpace(c)) continue;
                if (c == '#') {
                    while (pos < re.length() && re.charAt(pos) != '\n') pos++;
                    continue;
                }
            }
            int before = out.length();
            boolean quantified = false;
            switch (c) {
                case '\\' -> escape();
                case '[' -> bracket();
                case '(' -> group();
                case ')' -> {
                    if (scopes.isEmpty()) throw RegexpPatternError.invalid("unmatched closing parenthesis");
                    scope = scopes.pop();
                    out.append(')');
                }
                case '*', '+', '?' -> {
                    quantifier(String.valueOf(c));
                    quantified = true;
                }
                case '{' -> {
                    int end = quantifierEnd(pos);
                    if (end < 0) {
                        out.append("\\{");
                    } else {
                        String q = re.substring(pos - 1, end);
                        pos = end;
                        quantifier(q);
                        quantified = true;
                    }
                }
                case '$' -> out.append(dollarEndOnly && !scope.multiline ? "\\z" : "$");
                case '^', '.', '|' -> out.append(c);
                default -> out.append(RegexpSyntax.quote(c));
            }
            if (!quantified && out.length() > before) repeatable = repeatableItem(out.substring(before), c);
        }
        if (!scopes.isEmpty()) throw RegexpPatternError.invalid("missing closing parenthesis");
    }

    /** Whether Java text just emitted for the pattern character c can take a quantifier. */
    private static boolean repeatableItem(String java, char c) {
        if (c == '^' || c == '$' || c == '|' || java.startsWith("\\b") || java.equals("\\B")
                || java.equals("\\A") || java.equals("\\z") || java.equals("\\Z") || java.equals("\\G")) {
            return false;
        }
        // An opening group ends with "(" or "(?:" etc.; a closing ")" is repeatable.
        return !(c == '(' && !java.endsWith(")"));
    }

    /** The end of a {n}, {n,} or {n,m} quantifier starting after '{' at from, or -1. */
    private int quantifierEnd(int from) throws RegexpPatternError {
        int i = from;
        int lo = i;
        while (i < re.length() && Character.isDigit(re.charAt(i))) i++;
        if (i == lo || i >= re.length()) return -1;
        checkCount(re.substring(lo, i));
        if (re.charAt(i) == '}') return i + 1;
        if (re.charAt(i) != ',') return -1;
        int hi = ++i;
        while (i < re.length() && Character.isDigit(re.charAt(i))) i++;
        if (i >= re.length() || re.charAt(i) != '}') return -1;
        if (i > hi) {
            checkCount(re.substring(hi, i));
            if (Integer.parseInt(re.substring(hi, i)) < Integer.parseInt(re.substring(lo, hi - 1))) {
                throw RegexpPatternError.invalid("numbers out of order in {} quantifier");
            }
        }
        return i + 1;
    }

    private static void checkCount(String digits) throws RegexpPatternError {
        if (digits.length() > 5 || Integer.parseInt(digits) > 65535) {
            throw RegexpPatternError.invalid("number too big in {} quantifier");
        }
    }

    /** Emits a quantifier, swapping greedy and lazy forms in ungreedy mode. */
    private void quantifier(String q) throws RegexpPatternError {
        if (!repeatable) throw RegexpPatternError.invalid("quantifier does not follow a repeatable item");
        repeatable = false;
        out.append(q);
        char next = pos < re.length() ? re.charAt(pos) : 0;
        if (next == '+') {
            out.append('+');
            pos++;
        } else if (next == '?') {
            pos++;
            if (!scope.ungreedy) out.append('?');
        } else if (scope.ungreedy) {
            out.append('?');
        }
    }

    private void escape() throws RegexpPatternError {
        if (pos >= re.length()) throw RegexpPatternError.invalid("\\ at end of pattern");
        char d = re.charAt(pos++);
        switch (d) {
            case '1', '2', '3', '4', '5', '6', '7', '8', '9' -> numericEscape(d);
            case '0', 'x', 'o', 'c', 'a', 'e', 'f', 'n', 'r', 't' -> out.append(RegexpSyntax.quote(character(d)));
            case 'd', 'D', 's', 'S', 'w', 'W', 'h', 'H', 'v', 'V', 'R', 'X', 'b', 'B', 'A', 'z', 'Z', 'G' ->
                    out.append('\\').append(d);
            case 'N' -> {
                if (pos < re.length() && re.charAt(pos) == '{') {
                    throw RegexpPatternError.invalid("\\N{U+dddd} is supported only in Unicode (UTF) mode");
                }
                out.append("[^\\n]");
            }
            case 'C' -> out.append("(?s:.)");
            case 'K', 'E' -> {
                // \K only changes where $0 starts; a lone \E is ignored by PCRE.
            }
            case 'Q' -> {
                int end = re.indexOf("\\E", pos);
                String text = end < 0 ? re.substring(pos) : re.substring(pos, end);
                pos = end < 0 ? re.length() : end + 2;
                for (char c : text.toCharArray()) out.append(RegexpSyntax.quote(c));
            }
            case 'p', 'P' -> {
                // PCRE2 does not fold case for \p{Lu} and the like; Java would.
                String java = property(d);
                out.append(CASED.matcher(java).find() ? "(?-i:" + java + ")" : java);
            }
            case 'g' -> gReference();
            case 'k' -> backref(name(re.charAt(pos++)));
            case 'u', 'U', 'l', 'L' ->
                    throw RegexpPatternError.invalid("PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u");
            default -> {
                if (RegexpLines.isAlnum(d)) throw RegexpPatternError.invalid("unrecognized character follows \\");
                out.append(RegexpSyntax.quote(d));
            }
        }
    }

    /** \1 .. \9 are back references; larger numbers are too when that many groups exist, else octal. */
    private void numericEscape(char d) throws RegexpPatternError {
        int start = pos - 1;
        int end = start;
        while (end < re.length() && Character.isDigit(re.charAt(end))) end++;
        String digits = re.substring(start, end);
        int n = digits.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(digits);
        if (n < 10 || n <= totalGroups) {
            pos = end;
            backref(n);
            return;
        }
        if (d >= '8') {
            pos = end;
            backref(n);
            return;
        }
        pos = start;
        out.append(RegexpSyntax.quote(octal(3)));
    }

    private void backref(int n) throws RegexpPatternError {
        if (!scanning && n > totalGroups) throw RegexpPatternError.invalid("reference to non-existent subpattern");
        out.append("(?:\\").append(n).append(')');
    }

    private void backref(String name) throws RegexpPatternError {
        Integer n = names.get(name);
        if (n == null) {
            if (!scanning) throw RegexpPatternError.invalid("reference to non-existent subpattern");
            n = 1;
        }
        backref(n);
    }

    /** \g{n}, \gn, \g{-n}, \g-n, \g{name}; \g<..> and \g'..' are subroutine calls. */
    private void gReference() throws RegexpPatternError {
        if (pos >= re.length()) throw RegexpPatternError.invalid("a numbered reference must not be zero");
        char c = re.charAt(pos);
        if (c == '<' || c == '\'') throw RegexpPatternError.unsupported("subroutine calls (\\g<...>) are not supported");
        String ref;
        if (c == '{') {
            int end = re.indexOf('}', pos);
            if (end < 0) throw RegexpPatternError.invalid("\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain number");
            ref = re.substring(pos + 1, end);
            pos = end + 1;
        } else {
            int end = pos;
            if (end < re.length() && (re.charAt(end) == '-' || re.charAt(end) == '+')) end++;
            while (end < re.length() && Character.isDigit(re.charAt(end))) end++;
            ref = re.substring(pos, end);
            pos = end;
        }
        if (ref.matches("[+-]?[0-9]+")) {
            if (ref.startsWith("+")) throw RegexpPatternError.invalid("\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain number");
            int n = Integer.parseInt(ref);
            if (n == 0) throw RegexpPatternError.invalid("a numbered reference must not be zero");
            if (n < 0) {
                n = groups + 1 + n;
                if (n < 1) throw RegexpPatternError.invalid("reference to non-existent subpattern");
            }
            backref(n);
        } else if (ref.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            backref(ref);
        } else {
            throw RegexpPatternError.invalid("\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain number");
        }
    }

    /** The name after \k or (?P= with its opening delimiter open. */
    private String name(char open) throws RegexpPatternError {
        char close = switch (open) {
            case '<' -> '>';
            case '\'' -> '\'';
            case '{' -> '}';
            case '=' -> ')';
            default -> throw RegexpPatternError.invalid("\\k is not followed by a braced, angle-bracketed, or quoted name");
        };
        int end = re.indexOf(close, pos);
        if (end < 0) throw RegexpPatternError.invalid("syntax error in subpattern name (missing terminator?)");
        String name = re.substring(pos, end);
        pos = end + 1;
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,31}")) {
            throw RegexpPatternError.invalid("subpattern name expected");
        }
        return name;
    }

    /** A character escape after '\' (d is the letter): \0oo \xhh \x{h..} \o{o..} \cX \a \e \f \n \r \t. */
    private char character(char d) throws RegexpPatternError {
        switch (d) {
            case '0' -> {
                pos--;
                return octal(3);
            }
            case 'x' -> {
                if (pos < re.length() && re.charAt(pos) == '{') {
                    int end = re.indexOf('}', pos);
                    String hex = end < 0 ? "" : re.substring(pos + 1, end);
                    if (!hex.matches("[0-9A-Fa-f]+")) throw RegexpPatternError.invalid("\\x{ is not followed by }");
                    pos = end + 1;
                    return byteValue(Long.parseLong(hex.length() > 12 ? "ffffffffff" : hex, 16));
                }
                int v = 0;
                for (int k = 0; k < 2 && pos < re.length() && Character.digit(re.charAt(pos), 16) >= 0; k++) {
                    v = v * 16 + Character.digit(re.charAt(pos++), 16);
                }
                return (char) v;
            }
            case 'o' -> {
                int end = pos < re.length() && re.charAt(pos) == '{' ? re.indexOf('}', pos) : -1;
                String oct = end < 0 ? "" : re.substring(pos + 1, end);
                if (!oct.matches("[0-7]+")) throw RegexpPatternError.invalid("missing opening brace after \\o");
                pos = end + 1;
                return byteValue(Long.parseLong(oct.length() > 14 ? "7777777777" : oct, 8));
            }
            case 'c' -> {
                if (pos >= re.length() || re.charAt(pos) < 0x20 || re.charAt(pos) > 0x7e) {
                    throw RegexpPatternError.invalid("\\c must be followed by a printable ASCII character");
                }
                return (char) (Character.toUpperCase(re.charAt(pos++)) ^ 0x40);
            }
            case 'a' -> {
                return 0x07;
            }
            case 'e' -> {
                return 0x1b;
            }
            case 'f' -> {
                return '\f';
            }
            case 'n' -> {
                return '\n';
            }
            case 'r' -> {
                return '\r';
            }
            case 't' -> {
                return '\t';
            }
            default -> throw new IllegalArgumentException("not a character escape: " + d);
        }
    }

    private static char byteValue(long v) throws RegexpPatternError {
        if (v > 0xff) throw RegexpPatternError.invalid("character code point value in \\x{} or \\o{} is too large");
        return (char) v;
    }

    /** Up to max octal digits at pos. */
    private char octal(int max) throws RegexpPatternError {
        int v = 0;
        for (int k = 0; k < max && pos < re.length() && re.charAt(pos) >= '0' && re.charAt(pos) <= '7'; k++) {
            v = v * 8 + (re.charAt(pos++) - '0');
        }
        return byteValue(v);
    }

    /** \p / \P with a one-letter name or {name}, {^name}. */
    private String property(char d) throws RegexpPatternError {
        if (pos >= re.length()) throw RegexpPatternError.invalid("malformed \\P or \\p sequence");
        String name;
        if (re.charAt(pos) == '{') {
            int end = re.indexOf('}', pos);
            if (end < 0) throw RegexpPatternError.invalid("malformed \\P or \\p sequence");
            name = re.substring(pos + 1, end);
            pos = end + 1;
        } else {
            name = String.valueOf(re.charAt(pos++));
        }
        boolean negate = d == 'P';
        if (name.startsWith("^")) {
            negate = !negate;
            name = name.substring(1);
        }
        String java;
        if (name.equals("Any")) {
            return negate ? "(?!)" : "(?s:.)";
        } else if (name.equals("L&")) {
            java = "LC";
        } else if (name.matches("[A-Z][a-z]?")) {
            java = name;
        } else if (name.matches("[A-Z][A-Za-z_]+") && !name.startsWith("X")) {
            java = "Is" + name;
        } else {
            throw RegexpPatternError.unsupported("the property \\p{" + name + "} is not supported");
        }
        return (negate ? "\\P{" : "\\p{") + java + "}";
    }

    private void group() throws RegexpPatternError {
        if (pos < re.length() && re.charAt(pos) == '*') {
            int end = re.indexOf(')', pos);
            String verb = end < 0 ? re.substring(pos) : re.substring(pos, end);
            if ((verb.equals("*F") || verb.equals("*FAIL")) && end > 0) {
                pos = end + 1;
                out.append("(?!)");
                return;
            }
            throw RegexpPatternError.unsupported("the (" + verb + ") construct is not supported");
        }
        if (pos >= re.length() || re.charAt(pos) != '?') {
            open(scope.noCapture ? "(?:" : capture());
            return;
        }
        pos++;
        char c = pos < re.length() ? re.charAt(pos) : 0;
        switch (c) {
            case '#' -> {
                int end = re.indexOf(')', pos);
                if (end < 0) throw RegexpPatternError.invalid("missing ) at end of (?# comment");
                pos = end + 1;
            }
            case ':', '>', '=', '!' -> {
                pos++;
                open("(?" + c);
            }
            case '|' -> throw RegexpPatternError.unsupported("branch reset groups (?|...) are not supported");
            case '(' -> throw RegexpPatternError.unsupported("conditional groups (?(...)...) are not supported");
            case 'R', '&', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' ->
                    throw RegexpPatternError.unsupported("recursion and subroutine calls are not supported");
            case 'C' -> callout();
            case '<' -> {
                char n = pos + 1 < re.length() ? re.charAt(pos + 1) : 0;
                if (n == '=' || n == '!') {
                    pos += 2;
                    open("(?<" + n);
                } else {
                    pos++;
                    named(name('<'));
                }
            }
            case '\'' -> {
                pos++;
                named(name('\''));
            }
            case 'P' -> {
                char n = pos + 1 < re.length() ? re.charAt(pos + 1) : 0;
                pos += 2;
                switch (n) {
                    case '<' -> named(name('<'));
                    case '=' -> backref(name('='));
                    case '>' -> throw RegexpPatternError.unsupported("recursion and subroutine calls are not supported");
                    default -> throw RegexpPatternError.invalid("unrecognized character after (?P");
                }
            }
            case '-' -> {
                char n = pos + 1 < re.length() ? re.charAt(pos + 1) : 0;
                if (Character.isDigit(n)) {
                    throw RegexpPatternError.unsupported("recursion and subroutine calls are not supported");
                }
                options();
            }
            default -> options();
        }
    }

    private String capture() {
        groups++;
        return "(";
    }

    private void named(String name) throws RegexpPatternError {
        Integer old = seenNames.putIfAbsent(name, groups + 1);
        if (old != null && scanning) {
            throw RegexpPatternError.unsupported("duplicate group name \"" + name + "\" is not supported");
        }
        open(capture());
    }

    private void open(String javaText) {
        scopes.push(scope);
        out.append(javaText);
    }

    /** (?C), (?Cn), (?C"text"): callouts do nothing when no callout function is set, as in Postfix. */
    private void callout() throws RegexpPatternError {
        pos++;
        if (pos < re.length() && "`'\"^%#${".indexOf(re.charAt(pos)) >= 0) {
            char open = re.charAt(pos);
            char close = open == '{' ? '}' : open;
            int i = pos + 1;
            while (true) {
                if (i >= re.length()) throw RegexpPatternError.invalid("missing terminating delimiter for callout with string argument");
                if (re.charAt(i) == close) {
                    if (i + 1 < re.length() && re.charAt(i + 1) == close) {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i++;
            }
            pos = i + 1;
        } else {
            while (pos < re.length() && Character.isDigit(re.charAt(pos))) pos++;
        }
        if (pos >= re.length() || re.charAt(pos) != ')') throw RegexpPatternError.invalid("closing parenthesis for (?C expected");
        pos++;
    }

    /** (?imnsxJU-imnsx) and (?imnsx-imnsx: ...); pos is at the first option letter. */
    private void options() throws RegexpPatternError {
        int extended = scope.extended;
        boolean ungreedy = scope.ungreedy;
        boolean noCapture = scope.noCapture;
        boolean multiline = scope.multiline;
        StringBuilder on = new StringBuilder();
        StringBuilder off = new StringBuilder();
        boolean unset = false;
        if (pos < re.length() && re.charAt(pos) == '^') {
            pos++;
            off.append("ims");
            extended = 0;
            noCapture = false;
            multiline = false;
        }
        while (true) {
            if (pos >= re.length()) throw RegexpPatternError.invalid("missing closing parenthesis");
            char c = re.charAt(pos++);
            if (c == ')' || c == ':') {
                Scope next = new Scope(extended, ungreedy, noCapture, multiline);
                String flags = (on.isEmpty() && off.isEmpty()) ? "" : on + (off.isEmpty() ? "" : "-" + off);
                if (c == ':') {
                    scopes.push(scope);
                    out.append("(?").append(flags).append(':');
                } else if (!flags.isEmpty()) {
                    out.append("(?").append(flags).append(')');
                }
                scope = next;
                return;
            }
            switch (c) {
                case '-' -> {
                    if (unset) throw RegexpPatternError.invalid("unrecognized character after (? or (?-");
                    unset = true;
                }
                case 'i', 's' -> (unset ? off : on).append(c);
                case 'm' -> {
                    (unset ? off : on).append(c);
                    multiline = !unset;
                }
                case 'x' -> {
                    if (unset) {
                        extended = 0;
                    } else if (pos < re.length() && re.charAt(pos) == 'x') {
                        pos++;
                        extended = 2;
                    } else {
                        extended = 1;
                    }
                }
                case 'U' -> ungreedy = !unset;
                case 'n' -> noCapture = !unset;
                case 'J' -> {
                    if (!unset) throw RegexpPatternError.unsupported("duplicate group names (?J) are not supported");
                }
                default -> throw RegexpPatternError.invalid("unrecognized character after (? or (?-");
            }
        }
    }

    /** A character class; pos is just after '['. */
    private void bracket() throws RegexpPatternError {
        if (re.startsWith("[:<:]]", pos)) {
            pos += 6;
            out.append("\\b(?=\\w)");
            return;
        }
        if (re.startsWith("[:>:]]", pos)) {
            pos += 6;
            out.append("\\b(?<=\\w)");
            return;
        }
        if (pos < re.length() && ":.=".indexOf(re.charAt(pos)) >= 0) {
            char k = re.charAt(pos);
            int end = re.indexOf(k + "]", pos + 1);
            if (end > 0 && re.substring(pos + 1, end).matches("\\^?[a-z]+")) {
                throw RegexpPatternError.invalid("POSIX named classes are supported only within a class");
            }
        }
        StringBuilder cls = new StringBuilder("[");
        if (pos < re.length() && re.charAt(pos) == '^') {
            cls.append('^');
            pos++;
        }
        boolean first = true;
        while (true) {
            if (pos >= re.length()) throw RegexpPatternError.invalid("missing terminating ] for character class");
            char c = re.charAt(pos);
            if (c == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            if (scope.extended == 2 && (c == ' ' || c == '\t')) {
                pos++;
                continue;
            }
            String set = classSet();
            if (set != null) {
                cls.append(set);
                continue;
            }
            char lo = classChar();
            if (pos + 1 < re.length() && re.charAt(pos) == '-' && re.charAt(pos + 1) != ']') {
                int save = pos;
                pos++;
                if (classSet() != null) {
                    // "a-\d": PCRE2 rejects a range that ends in a class.
                    throw RegexpPatternError.invalid("invalid range in character class");
                }
                pos = save + 1;
                char hi = classChar();
                if (hi < lo) throw RegexpPatternError.invalid("range out of order in character class");
                cls.append(RegexpSyntax.classChar(lo)).append('-').append(RegexpSyntax.classChar(hi));
            } else {
                cls.append(RegexpSyntax.classChar(lo));
            }
        }
        out.append(cls.append(']'));
    }

    /** A POSIX class or a class escape (\d, \p{..}) at pos as Java class text, or null (pos unchanged). */
    private String classSet() throws RegexpPatternError {
        if (re.startsWith("[:", pos)) {
            int end = re.indexOf(":]", pos + 2);
            if (end > 0) {
                String name = re.substring(pos + 2, end);
                boolean negate = name.startsWith("^");
                String java = POSIX.get(negate ? name.substring(1) : name);
                if (java == null) throw RegexpPatternError.invalid("unknown POSIX class name");
                pos = end + 2;
                return negate ? "[^" + java + "]" : java;
            }
        }
        if ((re.startsWith("[.", pos) || re.startsWith("[=", pos))
                && re.indexOf(re.charAt(pos + 1) + "]", pos + 2) > 0) {
            throw RegexpPatternError.invalid("POSIX collating elements are not supported");
        }
        if (re.charAt(pos) != '\\' || pos + 1 >= re.length()) return null;
        char d = re.charAt(pos + 1);
        switch (d) {
            case 'd', 'D', 's', 'S', 'w', 'W', 'h', 'H', 'v', 'V' -> {
                pos += 2;
                return "\\" + d;
            }
            case 'p', 'P' -> {
                pos += 2;
                String java = property(d);
                if (CASED.matcher(java).find()) {
                    throw RegexpPatternError.unsupported("\\p{Lu}, \\p{Ll} and \\p{Lt} inside a character class are not supported");
                }
                return java;
            }
            case 'Q' -> {
                int end = re.indexOf("\\E", pos + 2);
                String text = end < 0 ? re.substring(pos + 2) : re.substring(pos + 2, end);
                pos = end < 0 ? re.length() : end + 2;
                StringBuilder s = new StringBuilder();
                for (char c : text.toCharArray()) s.append(RegexpSyntax.classChar(c));
                return s.toString();
            }
            case 'E' -> {
                pos += 2;
                return "";
            }
            default -> {
                return null;
            }
        }
    }

    /** One literal character of a class at pos: plain, or an escape such as \b (backspace) or \x41. */
    private char classChar() throws RegexpPatternError {
        char c = re.charAt(pos++);
        if (c != '\\') return c;
        if (pos >= re.length()) throw RegexpPatternError.invalid("\\ at end of pattern");
        char d = re.charAt(pos++);
        switch (d) {
            case 'b' -> {
                return '\b';
            }
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                pos--;
                return octal(3);
            }
            case 'x', 'o', 'c', 'a', 'e', 'f', 'n', 'r', 't' -> {
                return character(d);
            }
            case 'N' -> throw RegexpPatternError.invalid("escape sequence is invalid in character class");
            case 'u', 'U', 'l', 'L' ->
                    throw RegexpPatternError.invalid("PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u");
            default -> {
                if (RegexpLines.isAlnum(d)) throw RegexpPatternError.invalid("escape sequence is invalid in character class");
                return d;
            }
        }
    }
}
