package org.posthorn.table;

import java.util.ArrayList;
import java.util.List;

/**
 * The brace syntax of Postfix table names ({@code inline:{a=b, {c = d e}}}, {@code unionmap:{t1, t2}}):
 * an outer "{...}" and elements split on commas and white space, where "{...}" groups text
 * that contains separators.
 */
final class Braces {
    private Braces() {
    }

    /** The text between an outer '{' and '}', stripped; null when the text is not so enclosed. */
    static String inner(String text) {
        String t = text.strip();
        if (t.length() < 2 || t.charAt(0) != '{' || t.charAt(t.length() - 1) != '}') return null;
        return t.substring(1, t.length() - 1).strip();
    }

    /** Elements separated by commas or white space; a '{' starts a group that ends at its matching '}'. */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == ',' || SourceLines.isSpace(c)) {
                i++;
                continue;
            }
            int start = i;
            int level = 0;
            while (i < n) {
                c = text.charAt(i);
                if (c == '{') {
                    level++;
                } else if (c == '}' && level > 0) {
                    level--;
                } else if (level == 0 && (c == ',' || SourceLines.isSpace(c))) {
                    break;
                }
                i++;
            }
            out.add(text.substring(start, i));
        }
        return out;
    }

    /** An element without its grouping braces: "{ k = v }" becomes "k = v". */
    static String ungroup(String element) {
        String in = inner(element);
        return in != null ? in : element;
    }
}
