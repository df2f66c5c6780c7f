package org.posthorn.smtpd;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A string list of command names as in smtpd_forbidden_commands and smtpd_noop_commands:
 * plain names match without regard to case; inline {@code regexp:{{/pattern/ result} ...}}
 * entries match the command word as sent, case-insensitively unless the {@code i} flag
 * toggles that off (Postfix regexp_table(5)).
 */
final class CommandMatcher {
    private final List<String> names = new ArrayList<>();
    private final List<Pattern> patterns = new ArrayList<>();

    /** Matchers by setting: a service's sessions share one instead of compiling its patterns each. */
    private static final java.util.Map<List<String>, CommandMatcher> SHARED = new java.util.concurrent.ConcurrentHashMap<>();

    /** The matcher of a setting's value, made once (a handful of distinct values exist). */
    static CommandMatcher of(List<String> items) {
        CommandMatcher m = SHARED.get(items);
        if (m == null) {
            m = new CommandMatcher(items);
            if (SHARED.size() < 64) SHARED.put(List.copyOf(items), m);
        }
        return m;
    }

    CommandMatcher(List<String> items) {
        for (String item : items) {
            if (item.startsWith("regexp:{") || item.startsWith("pcre:{")) {
                addInlinePatterns(item.substring(item.indexOf('{')));
            } else if (!item.isEmpty()) {
                names.add(item);
            }
        }
    }

    private void addInlinePatterns(String body) {
        // {{/re/ result} {/re2/ result}} : each rule is one brace group whose text starts with /re/
        int i = 1;
        while (i < body.length()) {
            int open = body.indexOf('{', i);
            if (open < 0) break;
            int close = body.indexOf('}', open);
            if (close < 0) break;
            String rule = body.substring(open + 1, close).strip();
            if (rule.startsWith("/")) {
                int end = rule.indexOf('/', 1);
                if (end > 0) {
                    String flags = rule.substring(end + 1).split("\\s", 2)[0];
                    int f = flags.contains("i") ? 0 : Pattern.CASE_INSENSITIVE;
                    patterns.add(Pattern.compile(rule.substring(1, end), f));
                }
            }
            i = close + 1;
        }
    }

    boolean matches(String command) {
        for (String n : names) if (n.equalsIgnoreCase(command)) return true;
        for (Pattern p : patterns) if (p.matcher(command).find()) return true;
        return false;
    }
}
