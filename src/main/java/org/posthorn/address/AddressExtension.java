package org.posthorn.address;

import java.util.Locale;

/**
 * Address extensions (user+foo@domain with recipient_delimiter "+"), split off as Postfix
 * does: at the first delimiter character of the local part, never for postmaster,
 * MAILER-DAEMON or the double-bounce sender, never when the base would be empty, and with
 * "-" as a delimiter not for owner-foo or foo-request (owner_request_special).
 */
public final class AddressExtension {
    private final String delimiters;
    private final boolean ownerRequestSpecial;
    private final String doubleBounceSender;

    /**
     * @param delimiters          recipient_delimiter: the set of delimiter characters (empty = none)
     * @param ownerRequestSpecial owner_request_special
     * @param doubleBounceSender  double_bounce_sender
     */
    public AddressExtension(String delimiters, boolean ownerRequestSpecial, String doubleBounceSender) {
        this.delimiters = delimiters;
        this.ownerRequestSpecial = ownerRequestSpecial;
        this.doubleBounceSender = doubleBounceSender;
    }

    public boolean enabled() {
        return !delimiters.isEmpty();
    }

    /** Position of the delimiter that starts the extension in a local part, or -1. */
    public int splitPoint(String localPart) {
        if (delimiters.isEmpty()) return -1;
        if (localPart.equalsIgnoreCase("postmaster") || localPart.equalsIgnoreCase("MAILER-DAEMON")
                || localPart.equalsIgnoreCase(doubleBounceSender)) return -1;
        if (ownerRequestSpecial && delimiters.indexOf('-') >= 0) {
            String lower = localPart.toLowerCase(Locale.ROOT);
            if (lower.startsWith("owner-")) return -1;
            if (lower.length() > 8 && lower.endsWith("-request")) return -1;
        }
        int i = 0;
        while (i < localPart.length() && delimiters.indexOf(localPart.charAt(i)) < 0) i++;
        return i == 0 || i == localPart.length() ? -1 : i;
    }

    /** The address (user+ext@domain or user+ext) without its extension, or null when it has none. */
    public String strip(String address) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        int split = splitPoint(local);
        if (split < 0) return null;
        return local.substring(0, split) + (at < 0 ? "" : address.substring(at));
    }

    /** The extension with its delimiter ("+ext"), or null. */
    public String extension(String address) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        int split = splitPoint(local);
        return split < 0 ? null : local.substring(split);
    }
}
