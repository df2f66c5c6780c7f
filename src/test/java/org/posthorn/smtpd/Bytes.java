package org.posthorn.smtpd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Test input helpers: byte streams that hand out data in small pieces, as a slow network does. */
final class Bytes {
    private Bytes() {
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A stream that returns at most {@code piece} bytes per read and reports nothing available. */
    static InputStream split(String s, int piece) {
        return split(latin1(s), piece);
    }

    static InputStream split(byte[] data, int piece) {
        ByteArrayInputStream in = new ByteArrayInputStream(data);
        return new InputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, Math.min(len, piece));
            }

            @Override
            public int available() {
                return 0;
            }
        };
    }

    /** Collects content records as text lines; a record continued by the next one ends in "+" here. */
    static final class Records implements ContentWriter.Sink {
        final StringBuilder text = new StringBuilder();

        @Override
        public void record(byte[] buffer, int offset, int length, boolean endOfLine) {
            text.append(new String(buffer, offset, length, StandardCharsets.ISO_8859_1)).append(endOfLine ? "|" : "+");
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    static void drain(InputStream in) throws IOException {
        in.readAllBytes();
    }
}
