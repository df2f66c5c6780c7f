package org.posthorn.cli;

import java.util.ArrayList;
import java.util.List;
import org.posthorn.address.Quote;

/**
 * The addresses of an RFC 5322 address list in Postfix's internal (unquoted) form, as
 * sendmail takes them from its command line and, with {@code -t}, from the To:/Cc:/Bcc:
 * headers: parsed like tok822 by {@link org.posthorn.address.AddressList}, then unquoted
 * ({@code "john doe"@x} is {@code john doe@x}); source routes are kept.
 */
final class AddressList {
    private AddressList() {
    }

    static List<String> parse(String text) {
        List<String> out = new ArrayList<>();
        for (String a : org.posthorn.address.AddressList.parse(text).addresses()) out.add(Quote.unquoteLocal(a));
        return out;
    }

    /** The sender of -f: {@code <a@b>} or {@code a@b}; {@code <>} and "" are the null sender. */
    static String sender(String text) {
        List<String> a = parse(text);
        return a.isEmpty() ? "" : a.getFirst();
    }
}
