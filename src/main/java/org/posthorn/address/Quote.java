package org.posthorn.address;

/**
 * Converts addresses between internal (unquoted, as kept in queue files and tables) and
 * external (quoted, as written in SMTP and headers) form. Only the local part is quoted:
 * a local part that is not an RFC 822 dot-string becomes a quoted-string. 8-bit text is
 * left alone (SMTPUTF8 mail carries it as is), as Postfix's default quoting does.
 */
public final class Quote {
    private Quote() {
    }

    /** External form of an internal-form address (user@domain or a bare local part with no @). */
    public static String quoteLocal(String address) {
        return quoteLocal(address, true);
    }

    /**
     * External form of an internal-form address. A source route prefix "@a,@b:" is kept as is;
     * the local part runs to the last '@'.
     *
     * @param eightBitClean whether bytes above 127 count as ordinary characters
     */
    public static String quoteLocal(String address, boolean eightBitClean) {
        return quote(address, eightBitClean, false);
    }

    /** External form of a bare local part, which may itself contain '@'. */
    public static String quoteBareLocalPart(String localPart) {
        return quote(localPart, true, true);
    }

    private static String quote(String address, boolean eightBitClean, boolean bare) {
        int start = 0;
        int colon;
        if (address.startsWith("@") && (colon = address.indexOf(':')) >= 0) start = colon + 1;
        int end = bare ? address.length() : address.lastIndexOf('@');
        if (end < start) end = address.length();
        if (isDotString(address, start, end, eightBitClean)) return address;
        StringBuilder b = new StringBuilder(address.length() + 4);
        b.append(address, 0, start).append('"');
        for (int i = start; i < end; i++) {
            char c = address.charAt(i);
            if ((c > 127 && !eightBitClean) || c == '"' || c == '\\' || c == '\r') b.append('\\');
            b.append(c);
        }
        return b.append('"').append(address, end, address.length()).toString();
    }

    /** Whether a local part is a sequence of atoms separated by single dots (RFC 822 dot-string). */
    public static boolean isDotString(String s, int start, int end, boolean eightBitClean) {
        if (start >= end || s.charAt(start) == '.' || s.charAt(end - 1) == '.') return false;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c == '.' && i + 1 < end && s.charAt(i + 1) == '.') return false;
            if (c > 127 && !eightBitClean) return false;
            if (c == ' ' || Tokenizer.isControl(c)) return false;
            if ("()<>@,;:\\\"[]".indexOf(c) >= 0) return false;
        }
        return true;
    }

    /**
     * Internal form of an external-form address: quotes and backslashes are removed from
     * the local part; the text after the last unquoted '@' (the domain) and a source
     * route prefix are kept as they are.
     */
    public static String unquoteLocal(String address) {
        int start = 0;
        int colon;
        StringBuilder b = new StringBuilder(address.length());
        if (address.startsWith("@") && (colon = address.indexOf(':')) >= 0) {
            start = colon + 1;
            b.append(address, 0, start);
        }
        boolean inQuote = false;
        int atInOutput = -1;
        int atInInput = -1;
        for (int i = start; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c == '"') {
                inQuote = !inQuote;
                continue;
            } else if (c == '@') {
                if (!inQuote) {
                    atInOutput = b.length();
                    atInInput = i;
                }
            } else if (c == '\\') {
                if (i + 1 < address.length()) c = address.charAt(++i);
            }
            b.append(c);
        }
        if (atInOutput >= 0) {
            b.setLength(atInOutput);
            b.append(address, atInInput, address.length());
        }
        return b.toString();
    }
}
