package org.posthorn.table;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.posthorn.config.Config;
import org.posthorn.log.Log;

/**
 * A regexp: (POSIX regular expressions, regexp_table(5)) or pcre: (PCRE, pcre_table(5))
 * table: rules tried in order against the whole key, first match wins, with $n substitution
 * and if/endif blocks. Patterns are compiled once at open.
 *
 * <p>As in Postfix, a rule that Postfix itself rejects (bad pattern, missing delimiter,
 * unknown flag, bad $n) is skipped with a warning naming the file and line, and the table
 * still opens. A rule that Postfix accepts but java.util.regex cannot match the same way
 * makes open fail instead, so that no lookup silently answers differently from Postfix.
 *
 * <p>Keys, patterns and results are handled as bytes (each byte one char, ISO-8859-1), as
 * Postfix's non-UTF-8 matching does: '.' matches one byte and case folding is ASCII only.
 *
 * <p>Matching uses java.util.regex, a backtracking engine: a pattern with nested unbounded
 * repetition such as (a+)+b can take exponential time on a long key that almost matches.
 * glibc's matcher for regexp tables does not backtrack this way; PCRE stops at its match
 * limit. Posthorn bounds only the stack: a lookup that overflows it is logged and the rule
 * counts as not matching, as Postfix treats a PCRE matching error.
 */
public final class RegexpTable implements Table {
    private static final Log LOG = Log.of("posthorn");

    private enum Op { MATCH, IF, ENDIF }

    /** One compiled rule. */
    private static final class Rule {
        final Op op;
        final int line;
        Pattern pattern;
        boolean match = true;
        Pattern second;
        boolean secondMatch = true;
        RegexpReplacement result;
        boolean anchored;
        int endif = -1;

        Rule(Op op, int line) {
            this.op = op;
            this.line = line;
        }
    }

    /** A pattern as written: text between the delimiters, its flags, and negation. */
    private record Spec(String regex, String flags, boolean match) {
    }

    private final boolean pcre;
    /** The name as given, and as bytes for messages that quote table text. */
    private final String name;
    private final String mapName;
    private final Consumer<String> warn;
    private final List<Rule> rules = new ArrayList<>();

    private RegexpTable(boolean pcre, String mapName, Consumer<String> warn) {
        this.pcre = pcre;
        this.name = mapName;
        this.mapName = bytes(mapName);
        this.warn = warn;
    }

    /**
     * Opens a table for TableFactory: type is "regexp" or "pcre", name a file path or an
     * inline "{ {rule}, {rule} ... }" text (Postfix 3.7). Warnings go to the program's log.
     */
    public static Table open(String type, String name, Config config) throws TableException {
        return open(type, name, LOG);
    }

    /** As {@link #open(String, String, Config)}, with warnings logged to log. */
    public static RegexpTable open(String type, String name, Log log) throws TableException {
        return open(type, name, text -> log.warning("%s", text));
    }

    /** As {@link #open(String, String, Config)}, with each warning text handed to warn. */
    public static RegexpTable open(String type, String name, Consumer<String> warn) throws TableException {
        boolean pcre = switch (type) {
            case "pcre" -> true;
            case "regexp" -> false;
            default -> throw new TableException("unsupported dictionary type: " + type);
        };
        String text = name.startsWith("{") ? bytes(inlineRules(type, name)) : readFile(name);
        RegexpTable table = new RegexpTable(pcre, name, message -> warn.accept(text(message)));
        table.load(text);
        return table;
    }

    @Override
    public String name() {
        return (pcre ? "pcre:" : "regexp:") + name;
    }

    @Override
    public boolean fixedKeys() {
        return false;
    }

    @Override
    public String lookup(String key) {
        String subject = bytes(key);
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            switch (rule.op) {
                case MATCH -> {
                    MatchResult found = null;
                    if (rule.result.maxGroup() > 0) {
                        // Only positive rules may substitute groups.
                        found = groups(rule, subject);
                        if (found == null) continue;
                    } else if (!holds(rule, rule.pattern, rule.match, subject)) {
                        continue;
                    }
                    if (rule.second != null && !holds(rule, rule.second, rule.secondMatch, subject)) continue;
                    return text(rule.result.expand(found));
                }
                case IF -> {
                    if (holds(rule, rule.pattern, rule.match, subject)) continue;
                    if (rule.endif < 0) return null;
                    i = rule.endif;
                }
                case ENDIF -> {
                }
            }
        }
        return null;
    }

    /**
     * Whether pattern matching subject is what the rule wants (match, or no match for a
     * negated pattern). A matching error makes the condition false, as in Postfix.
     */
    private boolean holds(Rule rule, Pattern pattern, boolean wanted, String subject) {
        try {
            Matcher m = pattern.matcher(subject);
            return (rule.anchored ? m.lookingAt() : m.find()) == wanted;
        } catch (StackOverflowError e) {
            matchError(rule);
            return false;
        }
    }

    /**
     * The match with its groups, or null. regexp tables follow glibc, which reports the
     * longest match at the leftmost position (Java stops at the first alternative that
     * matches): the end is pushed out as far as a match still reaches.
     */
    private MatchResult groups(Rule rule, String subject) {
        try {
            Matcher m = rule.pattern.matcher(subject);
            if (!(rule.anchored ? m.lookingAt() : m.find())) return null;
            if (pcre || m.end() == subject.length()) return m.toMatchResult();
            int start = m.start();
            int shortest = m.end();
            m.useTransparentBounds(true).useAnchoringBounds(false);
            for (int end = subject.length(); end > shortest; end--) {
                m.region(start, end);
                if (m.matches()) return m.toMatchResult();
            }
            m.reset();
            m.find();
            return m.toMatchResult();
        } catch (StackOverflowError e) {
            matchError(rule);
            return null;
        }
    }

    private void matchError(Rule rule) {
        warn.accept(where(rule.line) + ": pattern too complex for this key (stack overflow): skipping this rule");
    }

    private String where(int line) {
        return (pcre ? "pcre" : "regexp") + " map " + mapName + ", line " + line;
    }

    private void load(String text) throws TableException {
        Deque<Rule> ifs = new ArrayDeque<>();
        for (RegexpLines.Line l : RegexpLines.split(text, mapName, warn)) {
            String line = l.text();
            int nul = line.indexOf('\0');
            if (nul >= 0) {
                warn.accept(mapName + ", line " + l.number() + ": text after null byte may be ignored");
                line = line.substring(0, nul);
                if (line.isEmpty()) continue;
            }
            Rule rule = parseRule(l.number(), line, ifs.size());
            if (rule == null) continue;
            if (rule.op == Op.IF) ifs.push(rule);
            if (rule.op == Op.ENDIF) ifs.pop().endif = rules.size();
            rules.add(rule);
        }
        while (!ifs.isEmpty()) warn.accept(where(ifs.pop().line) + ": IF has no matching ENDIF");
    }

    private Rule parseRule(int line, String text, int nesting) throws TableException {
        String where = where(line);
        if (!RegexpLines.isAlnum(text.charAt(0))) return parseMatch(line, text, where);
        if (keyword(text, "if")) {
            int[] pos = {2};
            skipSpace(text, pos);
            Spec spec = spec(text, pos, where);
            if (spec == null) return null;
            skipSpace(text, pos);
            if (pos[0] < text.length()) {
                warn.accept(where + ": ignoring extra text after IF statement: \"" + text.substring(pos[0]) + "\"");
                warn.accept(where + ": do not prepend whitespace to statements between IF and ENDIF");
            }
            Rule rule = new Rule(Op.IF, line);
            rule.match = spec.match;
            return compile(rule, spec, where) ? rule : null;
        }
        if (keyword(text, "endif")) {
            if (nesting == 0) {
                warn.accept(where + ": ignoring ENDIF without matching IF");
                return null;
            }
            if (!text.substring(5).isBlank()) warn.accept(where + ": ignoring extra text after ENDIF");
            return new Rule(Op.ENDIF, line);
        }
        warn.accept(where + ": ignoring unrecognized request");
        return null;
    }

    private static boolean keyword(String text, String word) {
        return text.regionMatches(true, 0, word, 0, word.length())
                && (text.length() == word.length() || !RegexpLines.isAlnum(text.charAt(word.length())));
    }

    private Rule parseMatch(int line, String text, String where) throws TableException {
        int[] pos = {0};
        Spec first = spec(text, pos, where);
        if (first == null) return null;
        Spec second = null;
        if (!pcre && pos[0] < text.length() && text.charAt(pos[0]) == '!') {
            // The old "/pattern1/!/pattern2/ result" form: pattern1 matches, pattern2 does not.
            second = spec(text, pos, where);
            if (second == null) return null;
        }
        skipSpace(text, pos);
        String value = text.substring(pos[0]);
        if (value.isEmpty()) warn.accept(where + ": no replacement text: using empty string");
        List<String> problems = new ArrayList<>();
        RegexpReplacement result = RegexpReplacement.parse(value, where, problems);
        if (result == null) {
            problems.forEach(warn);
            warn.accept(where + ": bad replacement syntax: skipping this rule");
            return null;
        }
        if (result.maxGroup() > 0 && !first.match) {
            warn.accept(where + ": $number found in negative match replacement text: skipping this rule");
            return null;
        }
        Rule rule = new Rule(Op.MATCH, line);
        rule.match = first.match;
        rule.result = result;
        int groups = compileGroups(rule, first, where);
        if (groups < 0) return null;
        if (result.maxGroup() > groups) {
            warn.accept(where + ": out of range replacement index \"" + result.maxGroup() + "\": skipping this rule");
            return null;
        }
        if (second != null) {
            Rule other = new Rule(Op.MATCH, line);
            if (!compile(other, second, where)) return null;
            rule.second = other.pattern;
            rule.secondMatch = second.match;
        }
        return rule;
    }

    /** Reads [!...]delimiter pattern delimiter flags at pos, or warns and returns null. */
    private Spec spec(String text, int[] pos, String where) {
        int p = pos[0];
        boolean match = true;
        for (; p < text.length(); p++) {
            char c = text.charAt(p);
            if (c == '!') match = !match;
            else if (!RegexpLines.isSpace(c)) break;
        }
        if (p >= text.length()) {
            warn.accept(where + ": no regexp: skipping this rule");
            return null;
        }
        char delimiter = text.charAt(p++);
        int start = p;
        boolean closed = false;
        while (p < text.length()) {
            char c = text.charAt(p);
            if (c == '\\') {
                if (p + 1 < text.length()) {
                    p += 2;
                    continue;
                }
                // A trailing backslash ends a regexp pattern; PCRE counts the delimiter as missing.
                closed = !pcre;
                break;
            }
            if (c == delimiter) {
                closed = true;
                break;
            }
            p++;
        }
        if (!closed) {
            warn.accept(where + ": no closing regexp delimiter \"" + delimiter + "\": "
                    + (pcre ? "ignoring" : "skipping") + " this rule");
            return null;
        }
        String regex = text.substring(start, p);
        p++;
        int flagStart = p;
        while (p < text.length() && !RegexpLines.isSpace(text.charAt(p)) && (pcre || text.charAt(p) != '!')) {
            char f = text.charAt(p);
            if ((pcre ? "imsxAEUX" : "imx").indexOf(f) < 0) {
                warn.accept(where + ": unknown regexp option \"" + f + "\": skipping this rule");
                return null;
            }
            if (f == 'X') warn.accept(where + ": ignoring obsolete regexp option \"X\"");
            p++;
        }
        pos[0] = p;
        return new Spec(regex, text.substring(flagStart, p), match);
    }

    private static void skipSpace(String text, int[] pos) {
        while (pos[0] < text.length() && RegexpLines.isSpace(text.charAt(pos[0]))) pos[0]++;
    }

    private boolean compile(Rule rule, Spec spec, String where) throws TableException {
        return compileGroups(rule, spec, where) >= 0;
    }

    /** Compiles spec into rule.pattern and returns its group count, or warns and returns -1. */
    private int compileGroups(Rule rule, Spec spec, String where) throws TableException {
        try {
            int groups;
            if (pcre) {
                boolean icase = toggled(spec.flags, 'i', true);
                boolean multiline = toggled(spec.flags, 'm', false);
                boolean dotall = toggled(spec.flags, 's', true);
                PcreSyntax.Translation t = PcreSyntax.translate(spec.regex, toggled(spec.flags, 'x', false),
                        toggled(spec.flags, 'U', false), toggled(spec.flags, 'E', false), multiline);
                rule.pattern = Pattern.compile(t.regex(), Pattern.UNIX_LINES
                        | (icase ? Pattern.CASE_INSENSITIVE : 0)
                        | (multiline ? Pattern.MULTILINE : 0)
                        | (dotall ? Pattern.DOTALL : 0));
                rule.anchored = toggled(spec.flags, 'A', false);
                groups = t.groups();
            } else {
                boolean icase = toggled(spec.flags, 'i', true);
                boolean newline = toggled(spec.flags, 'm', false);
                RegexpSyntax.Translation t = RegexpSyntax.translate(spec.regex, toggled(spec.flags, 'x', true), newline);
                rule.pattern = Pattern.compile(t.regex(), Pattern.UNIX_LINES
                        | (icase ? Pattern.CASE_INSENSITIVE : 0)
                        | (newline ? 0 : Pattern.DOTALL));
                groups = t.groups();
            }
            if (rule.pattern.matcher("").groupCount() != groups) {
                // A translation that renumbered groups would substitute the wrong text.
                throw new TableException(where + ": cannot translate this pattern's groups");
            }
            return groups;
        } catch (RegexpPatternError e) {
            if (e.unsupported()) throw new TableException(where + ": " + e.getMessage());
            warn.accept(where + ": " + (pcre ? "error in regex: " : "") + e.getMessage());
            return -1;
        } catch (PatternSyntaxException e) {
            warn.accept(where + ": " + (pcre ? "error in regex: " : "") + e.getDescription());
            return -1;
        }
    }

    /** A flag that each occurrence in flags toggles from its default. */
    private static boolean toggled(String flags, char flag, boolean dflt) {
        boolean on = dflt;
        for (int i = 0; i < flags.length(); i++) if (flags.charAt(i) == flag) on = !on;
        return on;
    }

    /** The file's bytes, one char each. */
    private static String readFile(String name) throws TableException {
        try {
            return new String(Files.readAllBytes(Path.of(name)), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new TableException("open " + name + ": No such file or directory");
        } catch (AccessDeniedException e) {
            throw new TableException("open " + name + ": Permission denied");
        } catch (IOException e) {
            throw new TableException("open " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The rules of an inline table "{ {rule}, {rule} ... }", one per line (Postfix 3.7):
     * white space after '{' and before '}' is dropped, elements are separated by commas
     * or white space.
     */
    static String inlineRules(String type, String name) throws TableException {
        String inner = braced(type, name);
        StringBuilder lines = new StringBuilder();
        int depth = 0;
        int start = -1;
        for (int i = 0; i <= inner.length(); i++) {
            char c = i < inner.length() ? inner.charAt(i) : ',';
            boolean separator = depth == 0 && (c == ',' || RegexpLines.isSpace(c));
            if (separator) {
                if (start >= 0) lines.append(braced(type, inner.substring(start, i))).append('\n');
                start = -1;
                continue;
            }
            if (start < 0) start = i;
            if (c == '{') depth++;
            else if (c == '}' && depth > 0) depth--;
        }
        return lines.toString();
    }

    /** The text inside "{ text }" with white space stripped. */
    private static String braced(String type, String given) throws TableException {
        String text = given.strip();
        if (!text.startsWith("{")) {
            throw new TableException(type + " map: no '{' at start of text in \"" + text + "\"");
        }
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) {
                if (i + 1 < text.length()) {
                    throw new TableException(type + " map: syntax error after '}' in \"" + text + "\"");
                }
                return text.substring(1, i).strip();
            }
        }
        throw new TableException(type + " map: missing '}' in \"" + given + "\"");
    }

    /** Text as bytes, one char per byte, the way the C code sees it. */
    private static String bytes(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** The inverse of {@link #bytes}. */
    private static String text(String bytes) {
        return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
