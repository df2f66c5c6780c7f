package org.posthorn.bounce;

import org.posthorn.mime.MailDate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.CleanupException;
import org.posthorn.queue.QueueFileReader;

/**
 * Writes one notice as Postfix's bounce(8) lays it out: a multipart/report
 * (RFC 3462/6522) with report-type=delivery-status, holding the explanation
 * (text/plain), the delivery status (RFC 3464 message/delivery-status) and the original
 * message (message/rfc822) or only its headers (text/rfc822-headers).
 */
final class NoticeWriter {
    private static final DateTimeFormatter DATE = MailDate.FORMAT;
    /** Postfix wraps long notice lines at 79 columns, continuing with a 4-space indent. */
    static final int WRAP = 79;
    static final int INDENT = 4;

    /** What the notice is about. */
    record Message(String queueId, String sender, Instant arrival, String envid, String encoding, boolean smtputf8) {
        /** The sender as shown in notices: the null sender is MAILER-DAEMON@$myhostname. */
        String shownSender(BounceSettings s) {
            return sender.isEmpty() ? "MAILER-DAEMON@" + s.myhostname() : sender;
        }
    }

    private final BounceSettings settings;
    private final ZoneId zone;

    NoticeWriter(BounceSettings settings, ZoneId zone) {
        this.settings = settings;
        this.zone = zone;
    }

    String date(Instant when) {
        return DATE.format(ZonedDateTime.ofInstant(when, zone));
    }

    /**
     * Writes the notice into a submission.
     *
     * @param to          the notice's recipient (To: header)
     * @param postmaster  a postmaster copy: its own subject, no explanation, auto-generated
     * @param headersOnly return only the original's headers
     * @param original    the reader of the original queue file, positioned anywhere
     */
    void write(Cleanup.Submission out, NoticeKind kind, boolean postmaster, String to, Message m,
               List<BounceLogs.Entry> entries, boolean headersOnly, QueueFileReader original, Instant now)
            throws CleanupException, IOException {
        String boundary = m.queueId() + "." + now.getEpochSecond() + "/" + settings.myhostname();
        String encoding = "7bit".equalsIgnoreCase(m.encoding()) ? "7bit" : "8bit";
        out.line("Received: by " + settings.myhostname() + " (" + settings.mailName() + ")");
        out.line("\tid " + out.queueId() + "; " + date(now));
        out.line("Date: " + date(now));
        out.line("From: Mail Delivery System <MAILER-DAEMON@" + settings.myhostname() + ">");
        out.line("Subject: " + (postmaster ? kind.postmasterSubject : kind.subject));
        out.line("To: " + to);
        out.line("Auto-Submitted: " + (postmaster ? "auto-generated" : "auto-replied"));
        out.line("MIME-Version: 1.0");
        out.line("Content-Type: multipart/report; report-type=delivery-status;");
        out.line("\tboundary=\"" + boundary + "\"");
        out.line("Content-Transfer-Encoding: " + encoding);
        out.line("");
        out.line("This is a MIME-encapsulated message.");
        out.line("");

        // the explanation
        out.line("--" + boundary);
        out.line("Content-Description: Notification");
        out.line("Content-Type: text/plain; charset=utf-8");
        out.line("Content-Transfer-Encoding: 8bit");
        out.line("");
        if (!postmaster) {
            for (String l : kind.text(settings).split("\n", -1)) out.line(l);
        } else {
            out.line("");
        }
        for (BounceLogs.Entry e : entries) {
            StringBuilder b = new StringBuilder("<").append(e.recipient()).append('>');
            if (e.original() != null && !e.original().isEmpty() && !e.original().equalsIgnoreCase(e.recipient())) {
                b.append(" (expanded from <").append(e.original()).append(">)");
            }
            b.append(": ").append(e.reason());
            for (String l : wrap(b.toString())) out.line(l);
            out.line("");
        }

        // the delivery status (RFC 3464)
        out.line("--" + boundary);
        out.line("Content-Description: Delivery report");
        out.line("Content-Type: message/" + (m.smtputf8() ? "global-delivery-status" : "delivery-status"));
        out.line("");
        out.line("Reporting-MTA: dns; " + settings.myhostname());
        if (m.envid() != null && !m.envid().isEmpty()) out.line("Original-Envelope-Id: " + m.envid());
        out.line("X-" + settings.mailName() + "-Queue-ID: " + m.queueId());
        out.line("X-" + settings.mailName() + "-Sender: rfc822; " + m.shownSender(settings));
        if (m.arrival() != null) out.line("Arrival-Date: " + date(m.arrival()));
        out.line("");
        for (BounceLogs.Entry e : entries) {
            out.line("Final-Recipient: rfc822; " + e.recipient());
            if (e.dsnOrigRcpt() != null && !e.dsnOrigRcpt().isEmpty()) {
                out.line("Original-Recipient: " + e.dsnOrigRcpt());
            } else if (e.original() != null && !e.original().isEmpty()) {
                out.line("Original-Recipient: rfc822; " + e.original());
            }
            out.line("Action: " + e.action());
            out.line("Status: " + e.status());
            if (e.remoteMta() != null) out.line("Remote-MTA: " + e.remoteMta());
            String diagnostic = e.diagnostic() != null ? e.diagnostic() : "X-" + settings.mailName() + "; " + e.reason();
            for (String l : wrap("Diagnostic-Code: " + diagnostic)) out.line(l);
            if (kind == NoticeKind.DELAY && m.arrival() != null) {
                out.line("Will-Retry-Until: " + date(m.arrival().plusSeconds(settings.maximalQueueLifetime())));
            }
            out.line("");
        }

        // the original message
        out.line("--" + boundary);
        out.line("Content-Description: " + (headersOnly ? kind.headersDescription : kind.fullDescription));
        out.line("Content-Type: " + (headersOnly ? "text/rfc822-headers" : "message/rfc822"));
        out.line("Content-Transfer-Encoding: " + encoding);
        out.line("");
        out.line("Return-Path: <" + m.shownSender(settings) + ">");
        copyOriginal(out, original, headersOnly);
        out.line("");
        out.line("--" + boundary + "--");
    }

    /** Streams the original content, stopping at the blank line after the headers when asked. */
    private static void copyOriginal(Cleanup.Submission out, QueueFileReader original, boolean headersOnly)
            throws IOException, CleanupException {
        boolean[] state = {true, false}; // {at line start, headers done}
        try {
            original.readContent((data, lineEnd) -> {
                if (state[1]) return;
                if (headersOnly && state[0] && lineEnd && data.length == 0) {
                    state[1] = true;
                    return;
                }
                try {
                    out.record(data, 0, data.length, lineEnd);
                } catch (CleanupException e) {
                    throw new UncheckedIOException(new IOException(e.getMessage(), e));
                }
                state[0] = lineEnd;
            });
        } catch (UncheckedIOException e) {
            if (e.getCause().getCause() instanceof CleanupException ce) throw ce;
            throw e.getCause();
        }
        if (!state[0]) out.record(new byte[0], 0, 0, true);
    }

    /**
     * Postfix's line wrapping of notice text: words stay whole, a line is broken before the
     * word that would take it past 79 columns, continuation lines are indented by 4.
     */
    static List<String> wrap(String text) {
        List<String> lines = new ArrayList<>();
        int limit = WRAP;
        String indent = "";
        int start = 0;
        int word = 0;
        while (true) {
            int space = word;
            while (space < text.length() && text.charAt(space) != ' ' && text.charAt(space) != '\t') space++;
            if (word > start && space - start > limit) {
                int end = word;
                while (end > start && Character.isWhitespace(text.charAt(end - 1))) end--;
                lines.add(indent + text.substring(start, end));
                while (word < text.length() && Character.isWhitespace(text.charAt(word))) word++;
                if (indent.isEmpty()) {
                    indent = " ".repeat(INDENT);
                    limit -= INDENT;
                }
                start = word;
                continue;
            }
            if (space >= text.length()) break;
            word = space + 1;
        }
        int end = text.length();
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) end--;
        lines.add(indent + text.substring(start, end));
        return lines;
    }
}
