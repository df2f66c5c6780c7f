package org.posthorn.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts 8-bit MIME content to 7-bit for a server without 8BITMIME, as Postfix's MIME
 * output conversion does: a leaf part that declares {@code Content-Transfer-Encoding: 8bit}
 * (or binary) is re-encoded as quoted-printable and its header says so; a multipart or
 * message part that declares 8bit is relabelled 7bit (its own parts are converted). Parts
 * without a declaration and message headers pass unchanged, as they do in Postfix.
 * Lines are assembled up to {@link #MAX_LINE} bytes; longer ones pass through in pieces.
 */
final class MimeDowngrade implements TextSink {
    static final int MAX_LINE = 64 * 1024;
    private static final Pattern BOUNDARY = Pattern.compile("(?i);\\s*boundary\\s*=\\s*(\"([^\"]*)\"|([^;\\s]+))");
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final int QP_WIDTH = 76;

    private final TextSink next;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean overflow;
    private final List<List<byte[]>> headers = new ArrayList<>();
    private final Deque<String> boundaries = new ArrayDeque<>();
    private boolean inHeader = true;
    private boolean encode;
    private boolean nestedMessage;

    MimeDowngrade(TextSink next) {
        this.next = next;
    }

    @Override
    public void text(byte[] data, int off, int len, boolean lineEnd) throws IOException {
        if (overflow || line.size() + len > MAX_LINE) {
            // an overlong line: no MIME structure in it, pass (or encode) the pieces
            flushOverflow(data, off, len, lineEnd);
            return;
        }
        line.write(data, off, len);
        if (lineEnd) {
            byte[] l = line.toByteArray();
            line.reset();
            processLine(l);
        }
    }

    private void flushOverflow(byte[] data, int off, int len, boolean lineEnd) throws IOException {
        if (!overflow) {
            if (inHeader) flushHeaders(false);
            byte[] head = line.toByteArray();
            line.reset();
            overflow = true;
            emitBody(head, false);
        }
        byte[] piece = new byte[len];
        System.arraycopy(data, off, piece, 0, len);
        emitBody(piece, lineEnd);
        if (lineEnd) overflow = false;
    }

    private void processLine(byte[] l) throws IOException {
        if (inHeader) {
            if (l.length == 0) {
                flushHeaders(true);
                next.text(l, 0, 0, true);
                return;
            }
            if ((l[0] == ' ' || l[0] == '\t') && !headers.isEmpty()) {
                headers.getLast().add(l);
                return;
            }
            if (isHeaderLine(l)) {
                headers.add(new ArrayList<>(List.of(l)));
                return;
            }
            // not a header: the header block ended without a blank line
            flushHeaders(true);
        }
        if (!boundaries.isEmpty() && l.length >= 2 && l[0] == '-' && l[1] == '-') {
            String text = new String(l, StandardCharsets.ISO_8859_1).stripTrailing();
            for (String b : boundaries) {
                if (text.equals("--" + b) || text.equals("--" + b + "--")) {
                    while (!boundaries.peek().equals(b)) boundaries.pop();
                    if (text.endsWith("--") && text.length() == b.length() + 4) {
                        boundaries.pop();
                        inHeader = false;
                    } else {
                        inHeader = true;
                        headers.clear();
                    }
                    encode = false;
                    next.text(l, 0, l.length, true);
                    return;
                }
            }
        }
        emitBody(l, true);
    }

    private static boolean isHeaderLine(byte[] l) {
        for (byte b : l) {
            if (b == ':') return true;
            if (b <= ' ' || b >= 127) return false;
        }
        return false;
    }

    /** Decides the part's treatment from its header and writes the (possibly rewritten) header lines. */
    private void flushHeaders(boolean complete) throws IOException {
        String type = null;
        String cte = null;
        int cteIndex = -1;
        for (int i = 0; i < headers.size(); i++) {
            StringBuilder sb = new StringBuilder();
            for (byte[] part : headers.get(i)) sb.append(new String(part, StandardCharsets.ISO_8859_1));
            String h = sb.toString();
            int colon = h.indexOf(':');
            String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).strip();
            if (name.equals("content-type")) type = value;
            if (name.equals("content-transfer-encoding")) {
                cte = value.toLowerCase(Locale.ROOT);
                cteIndex = i;
            }
        }
        boolean eightBit = cte != null && (cte.startsWith("8bit") || cte.startsWith("binary"));
        String mediaType = type == null ? "text/plain" : type.toLowerCase(Locale.ROOT);
        boolean multipart = mediaType.startsWith("multipart/");
        boolean message = mediaType.startsWith("message/");
        if (multipart && type != null) {
            Matcher m = BOUNDARY.matcher(type);
            if (m.find()) boundaries.push(m.group(2) != null ? m.group(2) : m.group(3));
        }
        encode = eightBit && !multipart && !message;
        for (int i = 0; i < headers.size(); i++) {
            List<byte[]> lines = headers.get(i);
            if (i == cteIndex && eightBit) {
                lines = List.of(("Content-Transfer-Encoding: " + (encode ? "quoted-printable" : "7bit"))
                        .getBytes(StandardCharsets.US_ASCII));
            }
            for (byte[] h : lines) next.text(h, 0, h.length, true);
        }
        headers.clear();
        // message/rfc822: the body starts with the embedded message's header
        nestedMessage = message && mediaType.startsWith("message/rfc822");
        inHeader = complete && nestedMessage ? true : false;
        if (complete && nestedMessage) encode = false;
    }

    private void emitBody(byte[] l, boolean lineEnd) throws IOException {
        if (!encode) {
            next.text(l, 0, l.length, lineEnd);
            return;
        }
        for (byte[] out : quotedPrintable(l, lineEnd)) next.text(out, 0, out.length, true);
    }

    /**
     * One line in quoted-printable (RFC 2045 6.7), as output lines: soft line breaks ("=" at
     * the end) keep each within 76 characters; a space or tab at the end of a line is encoded.
     * A piece that does not end its line ends with a soft break.
     */
    static List<byte[]> quotedPrintable(byte[] l, boolean lineEnd) {
        List<byte[]> lines = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(l.length + 16, QP_WIDTH + 4));
        for (int i = 0; i < l.length; i++) {
            int b = l[i] & 0xff;
            boolean last = i == l.length - 1;
            boolean literal = (b >= 33 && b <= 126 && b != '=') || ((b == ' ' || b == '\t') && !(last && lineEnd));
            int width = literal ? 1 : 3;
            // keep room for the "=" of a soft break unless this is the line's last character
            if (out.size() + width > (last && lineEnd ? QP_WIDTH : QP_WIDTH - 1)) {
                out.write('=');
                lines.add(out.toByteArray());
                out.reset();
            }
            if (literal) {
                out.write(b);
            } else {
                out.write('=');
                out.write(HEX[b >> 4]);
                out.write(HEX[b & 15]);
            }
        }
        if (!lineEnd && l.length > 0) out.write('=');
        if (lineEnd || out.size() > 0) lines.add(out.toByteArray());
        return lines;
    }
}
