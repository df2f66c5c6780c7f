package org.posthorn.table;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;

/**
 * The result text of a regexp or pcre rule: literal text with {@code $n}, {@code ${n}} and
 * {@code $(n)} references to matched groups, {@code $$} standing for a dollar sign.
 * Parsed once at open, as Postfix's mac_parse() pre-scan does.
 */
final class RegexpReplacement {
    /** Literal text (group 0) or a group reference (group > 0). */
    private record Part(String text, int group) {
    }

    private final List<Part> parts;
    private final int maxGroup;

    private RegexpReplacement(List<Part> parts, int maxGroup) {
        this.parts = parts;
        this.maxGroup = maxGroup;
    }

    /** The highest group number referenced; 0 when the text is constant. */
    int maxGroup() {
        return maxGroup;
    }

    /**
     * Parses result text. A syntax error (a bare '$', an unterminated ${, a non-numeric or
     * zero index) is reported through problems, one message each, and yields null.
     */
    static RegexpReplacement parse(String text, String where, List<String> problems) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int max = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 < text.length() && text.charAt(i + 1) == '$') {
                literal.append('$');
                i += 2;
                continue;
            }
            i++;
            String name;
            char open = i < text.length() ? text.charAt(i) : 0;
            if (open == '{' || open == '(') {
                char close = open == '{' ? '}' : ')';
                int level = 1;
                int end = i + 1;
                while (level > 0) {
                    if (end >= text.length()) {
                        problems.add("truncated macro reference: \"" + text + "\"");
                        return null;
                    }
                    char e = text.charAt(end++);
                    if (e == open) level++;
                    else if (e == close) level--;
                }
                name = text.substring(i + 1, end - 1);
                i = end;
            } else {
                int end = i;
                while (end < text.length() && (RegexpLines.isAlnum(text.charAt(end)) || text.charAt(end) == '_')) end++;
                name = text.substring(i, end);
                i = end;
            }
            if (name.isEmpty()) {
                problems.add("empty macro name: \"" + text + "\"");
                return null;
            }
            if (!name.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                problems.add(where + ": non-numeric replacement index \"" + name + "\"");
                return null;
            }
            int n = name.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(name);
            if (n < 1) {
                problems.add(where + (where.startsWith("pcre") ? ": out of range" : ": out-of-range") + " replacement index \"" + name + "\"");
                return null;
            }
            if (!literal.isEmpty()) {
                parts.add(new Part(literal.toString(), 0));
                literal.setLength(0);
            }
            parts.add(new Part(null, n));
            max = Math.max(max, n);
        }
        if (!literal.isEmpty()) parts.add(new Part(literal.toString(), 0));
        return new RegexpReplacement(List.copyOf(parts), max);
    }

    /** The result for a match; a group that did not take part or matched nothing adds nothing. */
    String expand(MatchResult match) {
        if (maxGroup == 0) return parts.isEmpty() ? "" : parts.getFirst().text;
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            if (p.group == 0) {
                out.append(p.text);
            } else {
                String g = match.group(p.group);
                if (g != null) out.append(g);
            }
        }
        return out.toString();
    }
}
