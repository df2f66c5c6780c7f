package org.posthorn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.posthorn.queue.QueueFileWriter;

/**
 * Copies a message from sendmail's standard input into a maildrop file as Postfix's
 * sendmail does: lines up to line_length_limit bytes become {@code N} records, longer ones
 * are cut into {@code L} records, and text after the last newline is an {@code L} record;
 * leading {@code From } lines are dropped; when the first line ends in CR, trailing CRs are
 * stripped from every line; a line with a single dot ends the input unless {@code -i}.
 * With {@code -t} the header recipients are collected on the way.
 */
final class SendmailInput {
    /** The largest header kept for recipient extraction (Postfix's header_size_limit default). */
    static final int HEADER_LIMIT = 102400;

    private final InputStream in;
    private final int lineLimit;
    private final boolean dotEnds;
    private final HeaderRecipients headers;

    /** @param headers where To/Cc/Bcc addresses go, or null when not extracting (-t) */
    SendmailInput(InputStream in, int lineLimit, boolean dotEnds, HeaderRecipients headers) {
        this.in = in;
        this.lineLimit = lineLimit;
        this.dotEnds = dotEnds;
        this.headers = headers;
    }

    /** Copies the content; returns the number of bytes read. */
    long copyTo(QueueFileWriter out) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        byte[] line = new byte[lineLimit];
        int used = 0;
        long total = 0;
        boolean first = true;          // no record written or skipped yet
        boolean prevContinued = false; // the previous record was an L record
        Boolean stripCr = null;        // decided by the first complete line
        boolean inHeaders = headers != null;
        int n;
        outer:
        while ((n = in.read(chunk)) > 0) {
            total += n;
            for (int i = 0; i < n; i++) {
                byte b = chunk[i];
                if (b != '\n') {
                    if (used == line.length) {
                        out.contentFragment(line, 0, used);
                        if (inHeaders) inHeaders = headers.text(line, used, false);
                        first = false;
                        prevContinued = true;
                        used = 0;
                    }
                    line[used++] = b;
                    continue;
                }
                int len = used;
                if (stripCr == null) stripCr = len > 0 && line[len - 1] == '\r';
                if (stripCr) while (len > 0 && line[len - 1] == '\r') len--;
                used = 0;
                if (first && startsWithFrom(line, len)) continue; // mbox separators before the message
                first = false;
                if (dotEnds && !prevContinued && len == 1 && line[0] == '.') break outer;
                out.contentLine(line, 0, len);
                if (inHeaders) inHeaders = headers.text(line, len, true);
                prevContinued = false;
            }
        }
        if (used > 0) {
            out.contentFragment(line, 0, used);
            if (inHeaders) headers.text(line, used, false);
            prevContinued = true;
        }
        if (headers != null) {
            headers.end();
            // observed with Postfix 3.7: under -t an unterminated last line is closed by an empty N record
            if (prevContinued) out.contentLine(new byte[0], 0, 0);
        }
        return total;
    }

    private static boolean startsWithFrom(byte[] line, int len) {
        return len >= 5 && line[0] == 'F' && line[1] == 'r' && line[2] == 'o' && line[3] == 'm' && line[4] == ' ';
    }

    /**
     * Collects the recipients of To:, Cc: and Bcc: (or, when the message has any
     * Resent-To:, Resent-Cc: or Resent-Bcc: header, of those only) from the header block.
     */
    static final class HeaderRecipients {
        private final StringBuilder current = new StringBuilder();
        private boolean currentComplete = true;
        private boolean resentSeen;
        private final List<String> plain = new ArrayList<>();
        private final List<String> resent = new ArrayList<>();

        /** One record of header text; returns false once the header block has ended. */
        boolean text(byte[] b, int len, boolean lineEnd) {
            String s = new String(b, 0, len, StandardCharsets.UTF_8);
            boolean continuation = !currentComplete || (!s.isEmpty() && (s.charAt(0) == ' ' || s.charAt(0) == '\t'));
            if (currentComplete && s.isEmpty()) {
                flush();
                return false;
            }
            if (!continuation) {
                flush();
                if (!looksLikeHeader(s)) return false;
            }
            if (current.length() + s.length() <= HEADER_LIMIT) current.append(s);
            currentComplete = lineEnd;
            return true;
        }

        void end() {
            flush();
        }

        private static boolean looksLikeHeader(String s) {
            int colon = s.indexOf(':');
            if (colon <= 0) return false;
            for (int i = 0; i < colon; i++) {
                char c = s.charAt(i);
                if (c <= ' ' || c >= 127) return false;
            }
            return true;
        }

        private void flush() {
            if (current.isEmpty()) return;
            String h = current.toString();
            current.setLength(0);
            int colon = h.indexOf(':');
            String name = h.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1);
            switch (name) {
                case "to", "cc", "bcc" -> plain.addAll(AddressList.parse(value));
                case "resent-to", "resent-cc", "resent-bcc" -> {
                    resentSeen = true;
                    resent.addAll(AddressList.parse(value));
                }
                default -> {
                }
            }
        }

        /** The extracted recipients in header order. */
        List<String> recipients() {
            return resentSeen ? resent : plain;
        }
    }
}
