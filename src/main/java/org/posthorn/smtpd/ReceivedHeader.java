package org.posthorn.smtpd;

import org.posthorn.mime.MailDate;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** The Received: header that smtpd puts first in every message, laid out as Postfix does. */
final class ReceivedHeader {
    private static final DateTimeFormatter DATE = MailDate.FORMAT;

    private ReceivedHeader() {
    }

    /**
     * The header lines (the first starts "Received: ", the others with a tab).
     *
     * @param heloOrName the sanitised HELO name, or the client name when there was no HELO
     * @param rfcAddress the client address as in a header: {@code 1.2.3.4} or {@code IPv6:...}
     * @param recipient  the recipient when there is exactly one, else null
     */
    static List<String> lines(String heloOrName, String clientName, String rfcAddress, String myhostname,
                              String mailName, String protocol, String queueId, String recipient,
                              Instant when, ZoneId zone) {
        String first = "Received: from " + heloOrName + " (" + clientName + " [" + rfcAddress + "])";
        String date = date(when, zone);
        if (recipient != null) {
            return List.of(first,
                    "\tby " + myhostname + " (" + mailName + ") with " + protocol + " id " + queueId,
                    "\tfor <" + quoteLocalPart(recipient) + ">; " + date);
        }
        return List.of(first,
                "\tby " + myhostname + " (" + mailName + ") with " + protocol + " id " + queueId + ";",
                "\t" + date);
    }

    static String date(Instant when, ZoneId zone) {
        long second = when.getEpochSecond();
        Stamp s = lastDate;
        if (s.second() != second || !s.zone().equals(zone)) {
            lastDate = s = new Stamp(second, zone, DATE.format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(second), zone)));
        }
        return s.text();
    }

    /** The last date formatted: every message of the same second has the same one. */
    private record Stamp(long second, ZoneId zone, String text) {
    }

    private static volatile Stamp lastDate = new Stamp(Long.MIN_VALUE, ZoneId.of("UTC"), "");

    /** Quotes the local part when it is not a dot-atom (RFC 5322 3.4.1), as quote_822_local does. */
    static String quoteLocalPart(String address) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        String domain = at < 0 ? "" : address.substring(at);
        if (local.isEmpty() || isDotAtom(local) || local.startsWith("\"")) return address;
        StringBuilder q = new StringBuilder("\"");
        for (char c : local.toCharArray()) {
            if (c == '"' || c == '\\') q.append('\\');
            q.append(c);
        }
        return q.append('"').append(domain).toString();
    }

    private static boolean isDotAtom(String s) {
        if (s.startsWith(".") || s.endsWith(".") || s.contains("..")) return false;
        for (char c : s.toCharArray()) {
            if (c <= ' ' || c == 127) return false;
            if ("()<>[]:;@\\,\"".indexOf(c) >= 0) return false;
        }
        return true;
    }
}
