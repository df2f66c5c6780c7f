package org.posthorn.table;

import java.util.ArrayList;
import java.util.List;

/**
 * aliases(5) lines as postalias(1) reads them: the line is split into RFC 822 tokens (atoms,
 * quoted strings, comments, domain literals, operators); the name before the first ':' must
 * be one local name, and is stored unquoted; the value is stored re-written from its tokens
 * (", " after commas, one space between words), so that it is parsed the same way at delivery.
 */
public final class AliasSyntax {
    /** Operator characters: RFC 822 specials plus '|', '%' and '!', as Postfix's tokenizer has them. */
    private static final String OPERATORS = "|%!()<>@,;:\\\".[]";

    private enum Kind { ATOM, QUOTED, COMMENT, LITERAL, OPERATOR }

    private record Token(Kind kind, String text) {
        boolean word() {
            return kind != Kind.OPERATOR;
        }

        boolean is(char c) {
            return kind == Kind.OPERATOR && text.charAt(0) == c;
        }
    }

    /** A parsed alias: the unquoted name and the value in external form. */
    public record Alias(String name, String value) {
    }

    /** Why a line is not an alias, in Postfix's words ("need name:value pair", "name must be local"). */
    public static final class BadAlias extends Exception {
        public BadAlias(String message) {
            super(message);
        }
    }

    private AliasSyntax() {
    }

    /** Parses one logical line; null when it holds no tokens at all. */
    public static Alias parse(String line) throws BadAlias {
        List<Token> tokens = scan(line);
        if (tokens.isEmpty()) return null;
        int colon = -1;
        for (int i = 0; i < tokens.size() && colon < 0; i++) if (tokens.get(i).is(':')) colon = i;
        if (colon <= 0 || colon == tokens.size() - 1) throw new BadAlias("need name:value pair");
        List<Token> name = tokens.subList(0, colon);
        if (name.stream().anyMatch(t -> t.is(','))) throw new BadAlias("need name:value pair");
        if (name.stream().anyMatch(t -> t.is('@') || t.is('%'))) throw new BadAlias("name must be local");
        return new Alias(join(name, false), join(tokens.subList(colon + 1, tokens.size()), true));
    }

    private static List<Token> scan(String s) {
        List<Token> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (SourceLines.isSpace(c)) {
                i++;
            } else if (c == '(') {
                int start = i;
                int level = 0;
                for (; i < n; i++) {
                    char d = s.charAt(i);
                    if (d == '\\' && i + 1 < n) {
                        i++;
                    } else if (d == '(') {
                        level++;
                    } else if (d == ')' && --level == 0) {
                        i++;
                        break;
                    }
                }
                out.add(new Token(Kind.COMMENT, s.substring(start, Math.min(i, n))));
            } else if (c == '"' || c == '[') {
                char close = c == '"' ? '"' : ']';
                StringBuilder text = new StringBuilder();
                for (i++; i < n && s.charAt(i) != close; i++) {
                    char d = s.charAt(i);
                    if (d == '\\' && i + 1 < n) d = s.charAt(++i);
                    text.append(d);
                }
                i++;
                out.add(new Token(c == '"' ? Kind.QUOTED : Kind.LITERAL, text.toString()));
            } else if (c != '\\' && OPERATORS.indexOf(c) >= 0) {
                out.add(new Token(Kind.OPERATOR, String.valueOf(c)));
                i++;
            } else {
                StringBuilder text = new StringBuilder();
                while (i < n) {
                    char d = s.charAt(i);
                    if (d == '\\') {
                        if (i + 1 >= n) {
                            i++;
                            break;
                        }
                        d = s.charAt(++i);
                    } else if (SourceLines.isSpace(d) || OPERATORS.indexOf(d) >= 0) {
                        break;
                    }
                    text.append(d);
                    i++;
                }
                out.add(new Token(Kind.ATOM, text.toString()));
            }
        }
        return out;
    }

    /** Tokens back to text; external form quotes quoted strings, internal form does not. */
    private static String join(List<Token> tokens, boolean external) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            switch (t.kind) {
                case QUOTED -> {
                    if (external) sb.append('"').append(quote(t.text, "\"\\\r\n")).append('"');
                    else sb.append(t.text);
                }
                case LITERAL -> sb.append('[').append(external ? quote(t.text, "\\\r\n") : t.text).append(']');
                default -> sb.append(t.text);
            }
            Token next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
            if (t.is(',') || next != null && (next.is('<') || t.word() && next.word())) sb.append(' ');
        }
        return sb.toString();
    }

    private static String quote(String text, String special) {
        StringBuilder sb = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (special.indexOf(c) >= 0) sb.append('\\');
            sb.append(c);
        }
        return sb.toString();
    }
}
