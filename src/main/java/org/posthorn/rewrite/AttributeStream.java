package org.posthorn.rewrite;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Postfix's internal attribute protocol in its NUL-separated form (attr_print0 /
 * attr_scan0): name NUL value NUL pairs, an empty name ends a message. Names and values
 * are bounded so that a broken client cannot make us buffer without limit. Kept here
 * while trivial-rewrite is its only server; move it to a shared package when others speak it.
 */
public final class AttributeStream {
    static final int MAX_STRING = 64 * 1024;
    static final int MAX_ATTRIBUTES = 64;

    private final InputStream in;
    private final OutputStream out;

    public AttributeStream(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    /** Reads one message; null at a clean end of stream before any attribute. A repeated name keeps its last value. */
    public Map<String, String> read() throws IOException {
        List<Map.Entry<String, String>> list = readList();
        if (list == null) return null;
        Map<String, String> attrs = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : list) attrs.put(e.getKey(), e.getValue());
        return attrs;
    }

    /** Reads one message as (name, value) pairs in order; null at a clean end of stream. */
    public List<Map.Entry<String, String>> readList() throws IOException {
        List<Map.Entry<String, String>> attrs = new ArrayList<>();
        for (int n = 0; ; n++) {
            String name = readString(n == 0);
            if (name == null) return null;
            if (name.isEmpty()) return attrs;
            if (n >= MAX_ATTRIBUTES) throw new IOException("too many attributes");
            attrs.add(Map.entry(name, readString(false)));
        }
    }

    /** Writes one message from alternating names and values. */
    public void write(String... nameValues) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String s : nameValues) {
            b.write(s.getBytes(StandardCharsets.UTF_8));
            b.write(0);
        }
        b.write(0);
        out.write(b.toByteArray());
        out.flush();
    }

    private String readString(boolean eofAllowed) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != 0) {
            if (c < 0) {
                if (eofAllowed && b.size() == 0) return null;
                throw new EOFException("unexpected end of input");
            }
            if (b.size() >= MAX_STRING) throw new IOException("attribute longer than " + MAX_STRING + " bytes");
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
