package org.posthorn.address;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Splits an external-form (quoted) address string into RFC 822 tokens the way Postfix's
 * tok822_scan() does, and turns token lists back into internal (unquoted) or external
 * (quoted) strings. The scanner is permissive: it never rejects input, so that nothing a
 * sender wrote is thrown away.
 */
public final class Tokenizer {
    /** Upper bound on tokens kept from one string, against header bombs. */
    public static final int MAX_TOKENS = 10_000;

    private Tokenizer() {
    }

    /** The tokens of an external-form string (white space between tokens is dropped). */
    public static List<Token> scan(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n && out.size() < MAX_TOKENS) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                i++;
            } else if (c == '(') {
                i = comment(s, i + 1, out);
            } else if (c == '[') {
                StringBuilder b = new StringBuilder();
                i = collect(s, i + 1, b, ']');
                out.add(new Token(Token.DOMLIT, b.toString()));
            } else if (c == '"') {
                StringBuilder b = new StringBuilder();
                i = collect(s, i + 1, b, '"');
                out.add(new Token(Token.QSTRING, b.toString()));
            } else if (c != '\\' && Token.OPERATORS.indexOf(c) >= 0) {
                out.add(Token.operator(c));
                i++;
            } else {
                i = atom(s, i, out);
            }
        }
        return out;
    }

    /**
     * Collects text from i up to a character that ends it (not taken); a backslash quotes
     * the next character. Returns the index of the ending character, or the string length.
     */
    private static int collect(String s, int i, StringBuilder b, IntPredicate ends) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (++i >= n) break;
                c = s.charAt(i);
            } else if (ends.test(c)) {
                return i;
            }
            b.append(isSpace(c) ? ' ' : c);
            i++;
        }
        return i;
    }

    /** Collects a quoted string or literal; the closing character is skipped. */
    private static int collect(String s, int i, StringBuilder b, char close) {
        int end = collect(s, i, b, c -> c == close);
        return end < s.length() ? end + 1 : end;
    }

    private static int atom(String s, int i, List<Token> out) {
        StringBuilder b = new StringBuilder();
        i = collect(s, i, b, c -> isSpace((char) c) || Token.OPERATORS.indexOf(c) >= 0);
        String text = b.toString();
        // An atom that needed backslashes (space, control or operator inside) is a quoted string.
        boolean special = false;
        for (int k = 0; k < text.length() && !special; k++) {
            char c = text.charAt(k);
            special = isSpace(c) || isControl(c) || Token.OPERATORS.indexOf(c) >= 0;
        }
        out.add(new Token(special ? Token.QSTRING : Token.ATOM, text));
        return i;
    }

    /** Comments nest and keep their external form, parentheses and backslashes included. */
    private static int comment(String s, int i, List<Token> out) {
        StringBuilder b = new StringBuilder("(");
        int level = 1;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i++);
            b.append(c);
            if (c == '(') {
                level++;
            } else if (c == ')') {
                if (--level == 0) break;
            } else if (c == '\\') {
                if (i >= n) break;
                b.append(s.charAt(i++));
            }
        }
        out.add(new Token(Token.COMMENT, b.toString()));
        return i;
    }

    /** Internal (unquoted) form: token texts, a space between adjacent words. */
    public static String internalize(List<Token> tokens) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            switch (t.type()) {
                case Token.ATOM, Token.QSTRING, Token.COMMENT -> b.append(t.text());
                case Token.DOMLIT -> b.append('[').append(t.text()).append(']');
                default -> b.append((char) t.type());
            }
            if (spaceBetween(tokens, k)) b.append(' ');
        }
        return b.toString();
    }

    /** A space after commas, before '<', and between adjacent words. */
    private static boolean spaceBetween(List<Token> tokens, int k) {
        if (k + 1 >= tokens.size()) return false;
        Token t = tokens.get(k);
        Token next = tokens.get(k + 1);
        return t.is(',') || next.is('<') || (t.isWord() && next.isWord());
    }

    /**
     * External form of one address: the internal form with its local part quoted where
     * RFC 822 needs it (Postfix externalizes an address node this way, not token by token).
     */
    public static String externalizeAddress(List<Token> tokens) {
        return Quote.quoteLocal(internalize(tokens), true);
    }

    /** External form token by token, for text around addresses (phrases, comments). */
    public static String externalize(List<Token> tokens) {
        return externalize(tokens, true);
    }

    /**
     * External form token by token; without spaces, words are simply concatenated (Postfix
     * inserts no spaces inside an address that its header parser grouped).
     */
    public static String externalize(List<Token> tokens, boolean spaces) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            switch (t.type()) {
                case Token.ATOM, Token.COMMENT -> b.append(t.text());
                case Token.QSTRING -> b.append('"').append(escape(t.text(), "\"\\\r\n")).append('"');
                case Token.DOMLIT -> b.append('[').append(escape(t.text(), "\\\r\n")).append(']');
                default -> b.append((char) t.type());
            }
            if (spaces && spaceBetween(tokens, k)) b.append(' ');
        }
        return b.toString();
    }

    private static String escape(String s, String special) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (special.indexOf(c) >= 0) b.append('\\');
            b.append(c);
        }
        return b.toString();
    }

    /** Postfix's ISSPACE: ASCII white space only. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    static boolean isControl(char c) {
        return c < 0x20 || c == 0x7f;
    }

    /** Index of the last token of a type, or -1. */
    public static int lastIndexOf(List<Token> tokens, int type) {
        for (int k = tokens.size() - 1; k >= 0; k--) if (tokens.get(k).is(type)) return k;
        return -1;
    }

    /** Index of the first token of a type at or after from, or -1. */
    public static int indexOf(List<Token> tokens, int type, int from) {
        for (int k = Math.max(0, from); k < tokens.size(); k++) if (tokens.get(k).is(type)) return k;
        return -1;
    }
}
