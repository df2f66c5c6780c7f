package org.posthorn.address;

import java.util.Locale;

/**
 * An address in internal (unquoted) form, split at the last '@'. The null address has an
 * empty local part and no domain; an address without '@' has a null domain.
 *
 * @param localPart the text before the last '@' (unquoted; may contain '@', '%' or '!')
 * @param domain    the text after the last '@', or null when there is no '@'
 */
public record Address(String localPart, String domain) {
    public static final Address NULL = new Address("", null);

    /** Splits an internal-form address at its last '@'. */
    public static Address parse(String internal) {
        int at = internal.lastIndexOf('@');
        return at < 0 ? new Address(internal, null) : new Address(internal.substring(0, at), internal.substring(at + 1));
    }

    /** Internal form of an external-form (quoted) address. */
    public static Address fromExternal(String external) {
        return parse(Quote.unquoteLocal(external));
    }

    public boolean isNull() {
        return localPart.isEmpty() && domain == null;
    }

    /** The internal (unquoted) form, user@domain. */
    public String internal() {
        return domain == null ? localPart : localPart + "@" + domain;
    }

    /** The external (quoted) form, as written in SMTP commands and headers. */
    public String external() {
        return domain == null ? Quote.quoteBareLocalPart(localPart) : Quote.quoteLocal(internal());
    }

    /** The domain in lower case, or null. */
    public String domainLowerCase() {
        return domain == null ? null : domain.toLowerCase(Locale.ROOT);
    }

    /** Whether the domain is an address literal such as [192.0.2.1] or [IPv6:2001:db8::1]. */
    public boolean hasAddressLiteral() {
        return domain != null && domain.startsWith("[") && domain.endsWith("]");
    }

    @Override
    public String toString() {
        return internal();
    }
}
