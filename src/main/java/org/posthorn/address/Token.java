package org.posthorn.address;

/**
 * One RFC 822 token as Postfix's tok822 scanner produces it: an operator character, or an
 * atom, quoted string, domain literal or comment with its text in internal (unquoted) form.
 *
 * @param type an operator character ({@code @ . : , < > ; % ! ...}) or one of the
 *             constants below
 * @param text the token text without quotes, brackets or backslashes (comments keep their
 *             external form, parentheses included); empty for operators
 */
public record Token(int type, String text) {
    public static final int ATOM = 256;
    public static final int QSTRING = 257;
    public static final int DOMLIT = 258;
    public static final int COMMENT = 259;

    /** The single-character operators, % and ! included because not all mail is RFC 822. */
    static final String OPERATORS = "|\"(),.:;<>@[]%!";

    public static Token operator(char c) {
        return new Token(c, "");
    }

    public static Token atom(String text) {
        return new Token(ATOM, text);
    }

    public static Token quoted(String text) {
        return new Token(QSTRING, text);
    }

    public boolean is(int t) {
        return type == t;
    }

    /** Atoms, quoted strings, domain literals and comments: words that need a space between them. */
    public boolean isWord() {
        return type >= ATOM;
    }

    @Override
    public String toString() {
        return switch (type) {
            case ATOM -> "atom(" + text + ")";
            case QSTRING -> "qstring(" + text + ")";
            case DOMLIT -> "domlit(" + text + ")";
            case COMMENT -> "comment" + text;
            default -> "'" + (char) type + "'";
        };
    }
}
