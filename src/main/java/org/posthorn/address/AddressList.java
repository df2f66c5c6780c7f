package org.posthorn.address;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A message header's address list (From:, To:, Cc:, Reply-To: ...) parsed the way Postfix's
 * tok822_parse() does it: permissive, nothing thrown away, missing commas added. The
 * result is the header's tokens with each address (the addr-spec, inside angle brackets
 * when there are any) grouped, so that cleanup can rewrite the addresses and write the
 * header back with phrases, comments and group syntax intact.
 *
 * <p>Parsing runs from right to left, as Postfix's does: a word after a word without a
 * comma between them starts a new address; "&lt;...&gt;" is a route address whose phrase
 * is left alone; "name: ... ;" is a group; comments are moved out of the address.
 */
public final class AddressList {
    /** One element of the parsed list: a token outside addresses, or an address. */
    public record Element(Token token, List<Token> address, boolean parsed) {
        public boolean isAddress() {
            return address != null;
        }
    }

    private static final int ADDR = -1;
    private static final int STARTGRP = -2;

    private final List<Element> elements;
    private final boolean changed;

    private AddressList(List<Element> elements, boolean changed) {
        this.elements = elements;
        this.changed = changed;
    }

    /**
     * Rewrites the addresses of a header value; returns the value as it was when no address
     * changed, as Postfix's cleanup keeps such headers byte for byte.
     */
    public static String rewriteHeaderValue(String value, UnaryOperator<String> rewrite, boolean lineBreaks) {
        AddressList mapped = parse(value).mapAddresses(rewrite);
        return mapped.changed ? mapped.toHeaderValue(lineBreaks) : value;
    }

    /** Whether {@link #mapAddresses} changed any address of this list. */
    public boolean changed() {
        return changed;
    }

    public List<Element> elements() {
        return Collections.unmodifiableList(elements);
    }

    /** The addresses in external (quoted) form, in order. */
    public List<String> addresses() {
        List<String> out = new ArrayList<>();
        for (Element e : elements) if (e.isAddress()) out.add(addressText(e));
        return out;
    }

    /**
     * A copy with each address replaced by the function's result (external form in, external
     * form out), e.g. a trivial-rewrite call or canonical mapping.
     */
    public AddressList mapAddresses(UnaryOperator<String> rewrite) {
        List<Element> out = new ArrayList<>(elements.size());
        boolean any = changed;
        for (Element e : elements) {
            if (!e.isAddress()) {
                out.add(e);
            } else {
                String external = Tokenizer.externalize(e.address(), !e.parsed());
                String result = rewrite.apply(external);
                any |= !result.equals(external);
                out.add(new Element(null, List.copyOf(Tokenizer.scan(result)), false));
            }
        }
        return new AddressList(out, any);
    }

    /**
     * The header value in external form. With lineBreaks, each comma is followed by a
     * newline instead of a space (the caller folds the lines), as for rewritten headers.
     */
    public String toHeaderValue(boolean lineBreaks) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < elements.size(); k++) {
            Element e = elements.get(k);
            if (e.isAddress()) {
                b.append(addressText(e));
            } else if (e.token().type() == STARTGRP) {
                b.append(':');
            } else {
                b.append(Tokenizer.externalize(List.of(e.token())));
            }
            if (k + 1 < elements.size()) {
                Element next = elements.get(k + 1);
                boolean comma = !e.isAddress() && e.token().is(',');
                if (comma && lineBreaks) b.append('\n');
                else if (comma || (!e.isAddress() && e.token().type() == STARTGRP)
                        || (!next.isAddress() && next.token().is('<')) || (isWord(e) && isWord(next))) b.append(' ');
            }
        }
        return b.toString();
    }

    private static boolean isWord(Element e) {
        return e.isAddress() || e.token().isWord();
    }

    /**
     * The external form of an address: internal form quoted. Addresses straight from the
     * parser get no spaces between their words (Postfix owns those tokens); rewritten ones do.
     */
    private static String addressText(Element e) {
        String internal = e.parsed() ? concat(e.address()) : Tokenizer.internalize(e.address());
        return Quote.quoteLocal(internal, true);
    }

    private static String concat(List<Token> tokens) {
        List<String> parts = new ArrayList<>();
        for (Token t : tokens) parts.add(Tokenizer.internalize(List.of(t)));
        return String.join("", parts);
    }

    /** Node of the doubly linked token list the right-to-left parser works on. */
    private static final class Node {
        int type;
        final String text;
        List<Token> children;
        Node prev;
        Node next;

        Node(int type, String text) {
            this.type = type;
            this.text = text;
        }

        boolean isWord() {
            return type == Token.ATOM || type == Token.QSTRING || type == Token.DOMLIT;
        }
    }

    private static final int DO_WORD = 1;
    private static final int DO_GROUP = 2;

    /** Parses a header value (without the header name). */
    public static AddressList parse(String value) {
        List<Token> scanned = Tokenizer.scan(value);
        Node head = new Node(0, "");
        Node tail = new Node(0, "");
        Node last = head;
        for (Token t : scanned) {
            Node n = new Node(t.type(), t.text());
            last.next = n;
            n.prev = last;
            last = n;
        }
        last.next = tail;
        tail.prev = last;

        int state = DO_WORD;
        Node right = tail;
        Node tp = tail.prev;
        while (tp.type != 0) {
            if (tp.type == Token.COMMENT) {
                Node prev = moveBefore(right, tp);
                right = tp;
                tp = prev;
                continue;
            } else if (tp.type == ';') {
                right = group(tp, right, true);
                state = DO_GROUP | DO_WORD;
            } else if (tp.type == ':' && (state & DO_GROUP) != 0) {
                tp.type = STARTGRP;
                group(tp, right, false);
                while (tp.type != 0 && tp.type != ',') tp = tp.prev;
                right = tp;
                continue;
            } else if (tp.type == '>') {
                right = group(tp, right, true);
                while (tp.type != 0 && tp.type != '<') {
                    if (tp.type == Token.COMMENT) {
                        Node prev = moveBefore(right, tp);
                        right = tp;
                        tp = prev;
                        continue;
                    }
                    tp = tp.prev;
                }
                group(tp, right, false);
                while (tp.type != 0 && !(tp.type == '>' || tp.type == ';' || tp.type == ',' || tp.type == ':')) {
                    tp = tp.prev;
                }
                right = tp;
                state |= DO_WORD;
                continue;
            } else if (tp.isWord()) {
                if ((state & DO_WORD) == 0) right = group(tp, right, true).next;
                state &= ~DO_WORD;
            } else if (tp.type == ',') {
                right = group(tp, right, false);
                state |= DO_WORD;
            } else {
                state |= DO_WORD;
            }
            tp = tp.prev;
        }
        group(tp, right, false);

        List<Element> elements = new ArrayList<>();
        for (Node n = head.next; n != tail; n = n.next) {
            if (n.type == ADDR) elements.add(new Element(null, List.copyOf(n.children), true));
            else elements.add(new Element(new Token(n.type, n.text), null, true));
        }
        return new AddressList(elements, false);
    }

    /** Groups the nodes strictly between left and right into one address; optionally adds a comma after left. */
    private static Node group(Node left, Node right, boolean addComma) {
        Node first = left.next;
        if (left != right && first != right) {
            Node g = new Node(ADDR, "");
            g.children = new ArrayList<>();
            for (Node n = first; n != right; n = n.next) g.children.add(new Token(n.type, n.text));
            left.next = g;
            g.prev = left;
            g.next = right;
            right.prev = g;
            if (addComma) {
                Node comma = new Node(',', "");
                comma.prev = left;
                comma.next = g;
                left.next = comma;
                g.prev = comma;
            }
        }
        return left;
    }

    /** Moves a comment node to just before another node; returns the node that preceded the comment. */
    private static Node moveBefore(Node at, Node n) {
        Node prev = n.prev;
        prev.next = n.next;
        n.next.prev = prev;
        n.prev = at.prev;
        n.next = at;
        at.prev.next = n;
        at.prev = n;
        return prev;
    }
}
