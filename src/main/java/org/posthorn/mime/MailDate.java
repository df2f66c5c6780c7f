package org.posthorn.mime;

import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The date Postfix writes into the headers it makes (Received:, notices): its mail_date()
 * format, with the day of month padded with a space, a numeric offset and the zone name.
 */
public final class MailDate {
    public static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("EEE, ppd MMM yyyy HH:mm:ss xx '('zzz')'", Locale.ENGLISH);

    private MailDate() {
    }
}
