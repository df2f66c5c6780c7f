package org.posthorn.cleanup;

import java.nio.charset.StandardCharsets;

/**
 * The value of the From: header cleanup adds to a message without one, with the sender's full
 * name laid out as {@code header_from_format} says (Postfix 3.3 and later).
 */
final class FromHeader {
    /** RFC 5322 specials plus the "!%" address operators: a name with any of them is quoted. */
    private static final String SPECIALS = "()<>[]:;@\\,.\"!%";

    private FromHeader() {
    }

    /**
     * The header value: {@code sender} alone when there is no name or the sender is null
     * ({@code MAILER-DAEMON}), else {@code name <sender>} (standard) or {@code sender (name)} (obsolete).
     *
     * @param sender   the envelope sender after rewriting; "" for the null sender
     * @param fullName the full name as given (sendmail -F), or null
     * @param format   the header_from_format value
     */
    static String value(String sender, String fullName, String format) {
        if (sender.isEmpty()) return "MAILER-DAEMON";
        String name = fullName == null ? "" : bytes(fullName);
        if (name.isEmpty()) return sender;
        if (format.equals("obsolete")) return sender + " (" + name + ")";
        String phrase = phrase(name);
        return phrase.isEmpty() ? "<" + sender + ">" : phrase + " <" + sender + ">"; // a blank name: Postfix's "<sender>"
    }

    /** A name as an RFC 5322 phrase: quoted as it is when it has specials, else its words joined by one space. */
    static String phrase(String name) {
        boolean special = false;
        for (int i = 0; i < name.length() && !special; i++) special = SPECIALS.indexOf(name.charAt(i)) >= 0;
        if (!special) return name.isBlank() ? "" : String.join(" ", name.strip().split("[ \t\r\n]+"));
        StringBuilder out = new StringBuilder(name.length() + 2).append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"' || c == '\\') out.append('\\');
            out.append(c);
        }
        return out.append('"').toString();
    }

    /** Header lines hold one char per byte: the UTF-8 bytes of the name (sendmail -F "Jörg"). */
    private static String bytes(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
