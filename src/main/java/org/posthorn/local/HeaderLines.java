package org.posthorn.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the header lines of a message one logical header at a time (folded lines joined),
 * stopping at the empty line that ends the headers. Lines are bounded: a longer header is
 * cut, as only its start matters here (Delivered-To: checks).
 */
final class HeaderLines {
    private static final int LIMIT = 8192;

    private HeaderLines() {
    }

    /** The next header with continuation lines joined, or null at the end of the headers. */
    static String next(InputStream in) throws IOException {
        if (!in.markSupported()) throw new IllegalArgumentException("needs a markable stream");
        String first = line(in);
        if (first == null || first.isEmpty()) return null;
        StringBuilder h = new StringBuilder(first);
        for (;;) {
            in.mark(1);
            int c = in.read();
            if (c < 0) break;
            in.reset();
            if (c != ' ' && c != '\t') break;
            String more = line(in);
            if (h.length() < LIMIT) h.append(more);
        }
        return h.toString();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        boolean any = false;
        while ((c = in.read()) >= 0) {
            any = true;
            if (c == '\n') break;
            if (b.size() < LIMIT) b.write(c);
        }
        if (!any) return null;
        return b.toString(StandardCharsets.UTF_8);
    }
}
