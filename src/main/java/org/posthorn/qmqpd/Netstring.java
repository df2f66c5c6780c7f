package org.posthorn.qmqpd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * D. J. Bernstein's netstrings ({@code 12:hello world!,}): a decimal length, a colon, that
 * many bytes, a comma. Reading is bounded: the length is refused before any payload is read
 * when it exceeds the caller's limit, and a length of more than ten digits is a format
 * error. A stream that ends early is {@link NetstringException.Kind#EOF}; a read timeout
 * is {@link NetstringException.Kind#TIMEOUT}.
 */
final class Netstring {
    private static final int MAX_DIGITS = 10;

    private Netstring() {
    }

    /** Reads a length prefix up to and including the colon. */
    static long readLength(InputStream in) throws IOException {
        long len = 0;
        int digits = 0;
        for (;;) {
            int c = read(in);
            if (c == ':') {
                if (digits == 0) throw new NetstringException(NetstringException.Kind.FORMAT);
                return len;
            }
            if (c < '0' || c > '9' || ++digits > MAX_DIGITS) throw new NetstringException(NetstringException.Kind.FORMAT);
            len = len * 10 + (c - '0');
        }
    }

    /** Reads a whole netstring of at most {@code limit} bytes. */
    static byte[] read(InputStream in, long limit) throws IOException {
        long len = readLength(in);
        if (len > limit) throw new NetstringException(NetstringException.Kind.SIZE);
        byte[] data = in.readNBytes((int) len);
        if (data.length < len) throw new NetstringException(NetstringException.Kind.EOF);
        expectComma(in);
        return data;
    }

    /** Reads the comma that ends a netstring. */
    static void expectComma(InputStream in) throws IOException {
        if (read(in) != ',') throw new NetstringException(NetstringException.Kind.FORMAT);
    }

    /** One byte; EOF and timeouts become NetstringExceptions. */
    static int read(InputStream in) throws IOException {
        int c;
        try {
            c = in.read();
        } catch (SocketTimeoutException e) {
            throw new NetstringException(NetstringException.Kind.TIMEOUT);
        }
        if (c < 0) throw new NetstringException(NetstringException.Kind.EOF);
        return c;
    }

    /** Encodes bytes as a netstring. */
    static byte[] encode(byte[] data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(data.length + 12);
        b.writeBytes((data.length + ":").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(data);
        b.write(',');
        return b.toByteArray();
    }

    static void write(OutputStream out, String text) throws IOException {
        out.write(encode(text.getBytes(StandardCharsets.UTF_8)));
        out.flush();
    }
}
