package org.posthorn.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.posthorn.address.Quote;
import org.posthorn.queue.QueueFileReader;

/**
 * Copies a queued message to a mailbox, file or command the way Postfix's mail_copy() does:
 * optional {@code From sender  date} envelope line, {@code Return-Path:},
 * {@code X-Original-To:} and {@code Delivered-To:} headers in front (the addresses as they are, not case-folded: Postfix 3.7 writes them so), {@code >From }
 * quoting or dot-stuffing of body lines, a blank line at the end of an mbox message.
 * Shared by local(8), virtual(8) and pipe(8).
 *
 * @param fromLine      prepend the mbox {@code From } line (flag F)
 * @param returnPath    prepend {@code Return-Path: <sender>} (flag R)
 * @param originalTo    the X-Original-To value (internal form), or null (flag O)
 * @param deliveredTo   the Delivered-To value (internal form), or null (flag D)
 * @param quoteFrom     {@code >}-quote lines that start with "From " (flag >)
 * @param dotStuff      double a leading "." (flag .)
 * @param blankLine     append an empty line (flag B)
 * @param eol           the line ending written ("\n", or pipe(8)'s eol=)
 */
public record MailCopy(boolean fromLine, boolean returnPath, String originalTo, String deliveredTo,
                       boolean quoteFrom, boolean dotStuff, boolean blankLine, String eol) {

    /** mbox: From_ line, quoting, blank line, Return-Path, X-Original-To, Delivered-To. */
    public static MailCopy mbox(String originalTo, String deliveredTo) {
        return new MailCopy(true, true, originalTo, deliveredTo, true, false, true, "\n");
    }

    /** Maildir: the headers only, the message as is. */
    public static MailCopy maildir(String originalTo, String deliveredTo) {
        return new MailCopy(false, true, originalTo, deliveredTo, false, false, false, "\n");
    }

    /** local(8) commands: From_ line and headers, no quoting. */
    public static MailCopy command(String originalTo, String deliveredTo) {
        return new MailCopy(true, true, originalTo, deliveredTo, false, false, false, "\n");
    }

    /** ctime(3)-style time as in an mbox From_ line: "Fri Nov 27 21:05:55 2026". */
    static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    /** The mbox envelope line for a sender ("" is MAILER-DAEMON), without line end. */
    public static String fromLine(String sender, ZonedDateTime now) {
        return "From " + (sender.isEmpty() ? "MAILER-DAEMON" : sender) + "  " + ASCTIME.format(now);
    }

    /** Writes the headers and the content of the queue file; returns the bytes written. */
    public long copy(Path queueFile, String sender, OutputStream out) throws IOException {
        try (QueueFileReader reader = QueueFileReader.open(queueFile)) {
            return copy(reader, sender, out);
        }
    }

    /** As {@link #copy(Path, String, OutputStream)} from an open reader. */
    public long copy(QueueFileReader reader, String sender, OutputStream out) throws IOException {
        CountingStream counted = new CountingStream(out);
        byte[] eolBytes = eol.getBytes(StandardCharsets.US_ASCII);
        if (fromLine) line(counted, fromLine(sender, ZonedDateTime.now()));
        if (returnPath) line(counted, "Return-Path: <" + (sender.isEmpty() ? "" : Quote.quoteLocal(sender)) + ">");
        if (originalTo != null && !originalTo.isEmpty()) line(counted, "X-Original-To: " + Quote.quoteLocal(originalTo));
        if (deliveredTo != null) line(counted, "Delivered-To: " + Quote.quoteLocal(deliveredTo));
        boolean[] atLineStart = {true};
        reader.readContent((data, lineEnd) -> {
            if (atLineStart[0]) {
                if (quoteFrom && startsWith(data, "From ")) counted.write('>');
                if (dotStuff && data.length > 0 && data[0] == '.') counted.write('.');
            }
            counted.write(data);
            if (lineEnd) counted.write(eolBytes);
            atLineStart[0] = lineEnd;
        });
        if (!atLineStart[0]) counted.write(eolBytes);
        if (blankLine) counted.write(eolBytes);
        counted.flush();
        return counted.count;
    }

    private void line(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.write(eol.getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean startsWith(byte[] data, String prefix) {
        if (data.length < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) if (data[i] != prefix.charAt(i)) return false;
        return true;
    }

    /** Counts what passes through. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
