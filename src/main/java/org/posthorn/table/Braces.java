package org.posthorn.table;

import org.posthorn.config.Config;


/**
 * The brace syntax of Postfix table names ({@code inline:{a=b, {c = d e}}}, {@code unionmap:{t1, t2}}):
 * an outer "{...}" whose elements ({@link org.posthorn.config.Config#splitList}: split on commas and white space)
 * may be "{...}" groups of text that contains separators.
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

    /** An element without its grouping braces: "{ k = v }" becomes "k = v". */
    static String ungroup(String element) {
        String in = inner(element);
        return in != null ? in : element;
    }
}
