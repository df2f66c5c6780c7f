package org.posthorn.table;

/**
 * The "key whitespace value" split of a postmap(1) source line. A key may be enclosed in
 * double quotes to hold white space (Postfix 3.2); the quotes stay part of the key, as in
 * Postfix, because they are how a quoted address localpart is looked up.
 */
public record KeyValue(String key, String value) {

    /** Why a line could not be split; the message is Postfix's wording without the file prefix. */
    public static final class BadLine extends Exception {
        public BadLine(String message) {
            super(message);
        }
    }

    /** Splits a logical line; throws BadLine with Postfix's warning text. */
    public static KeyValue parse(String line) throws BadLine {
        int i = 0;
        boolean quoted = false;
        for (; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '\\' && i + 1 < line.length()) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && SourceLines.isSpace(c)) {
                break;
            }
        }
        if (quoted) throw new BadLine("unbalanced '\"' in '" + line + "'");
        String key = line.substring(0, i);
        int v = SourceLines.firstNonSpace(line.substring(i));
        String value = v < 0 ? "" : line.substring(i + v);
        if (key.isEmpty() || value.isEmpty()) throw new BadLine("expected format: key whitespace value");
        return new KeyValue(key, value);
    }
}
