package org.posthorn.showq;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The showq wire protocol (Postfix's attr_print0 form, docs/public-sockets.md): attributes
 * "name NUL value NUL"; the server announces {@code protocol=mail_queue_list_protocol},
 * then per message queue_name, queue_id, time, size, forced_expire, sender, then
 * recipient/reason pairs and a NUL; one more NUL ends the listing.
 */
public final class ShowqProtocol {
    public static final String NAME = "mail_queue_list_protocol";
    /** Bound on one attribute name or value a client accepts. */
    private static final int MAX_TEXT = 1 << 20;

    private ShowqProtocol() {
    }

    /** The server's greeting. */
    public static void writeGreeting(OutputStream out) throws IOException {
        attr(out, "protocol", NAME);
        out.write(0);
    }

    public static void writeMessage(OutputStream out, ShowqMessage m) throws IOException {
        attr(out, "queue_name", m.queueName());
        attr(out, "queue_id", m.queueId());
        attr(out, "time", Long.toString(m.arrivalTime()));
        attr(out, "size", Long.toString(m.size()));
        attr(out, "forced_expire", m.forcedExpire() ? "1" : "0");
        attr(out, "sender", m.sender());
        for (ShowqMessage.Recipient r : m.recipients()) {
            attr(out, "recipient", r.address());
            attr(out, "reason", r.reason());
        }
        out.write(0);
    }

    /** Ends the listing. */
    public static void writeEnd(OutputStream out) throws IOException {
        out.write(0);
    }

    private static void attr(OutputStream out, String name, String value) throws IOException {
        out.write(name.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.write(value.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    /** The client side: reads the greeting, then one message at a time. */
    public static final class Reader {
        private final InputStream in;

        /** Reads and checks the greeting; an IOException("malformed showq server response") otherwise. */
        public Reader(InputStream in) throws IOException {
            this.in = in.markSupported() ? in : new java.io.BufferedInputStream(in, 65536);
            expect("protocol", NAME);
            if (this.in.read() != 0) throw malformed();
        }

        /** The next message, or null at the end of the listing. */
        public ShowqMessage next() throws IOException {
            if (!more()) return null;
            String queue = read("queue_name");
            String id = read("queue_id");
            long time = number(read("time"));
            long size = number(read("size"));
            boolean expire = number(read("forced_expire")) != 0;
            String sender = read("sender");
            List<ShowqMessage.Recipient> rcpts = new ArrayList<>();
            while (more()) rcpts.add(new ShowqMessage.Recipient(read("recipient"), read("reason")));
            return new ShowqMessage(queue, id, time, size, expire, sender, rcpts);
        }

        /** attr_scan_more: false after consuming a terminator, true when an attribute follows. */
        private boolean more() throws IOException {
            in.mark(1);
            int c = in.read();
            if (c < 0) throw malformed();
            if (c == 0) return false;
            in.reset();
            return true;
        }

        private void expect(String name, String value) throws IOException {
            if (!read(name).equals(value)) throw malformed();
        }

        private String read(String name) throws IOException {
            if (!text().equals(name)) throw malformed();
            return text();
        }

        private String text() throws IOException {
            byte[] buf = new byte[64];
            int n = 0;
            for (;;) {
                int c = in.read();
                if (c < 0) throw new EOFException("malformed showq server response");
                if (c == 0) return new String(buf, 0, n, StandardCharsets.UTF_8);
                if (n == MAX_TEXT) throw malformed();
                if (n == buf.length) buf = java.util.Arrays.copyOf(buf, n * 2);
                buf[n++] = (byte) c;
            }
        }

        private static long number(String s) throws IOException {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw malformed();
            }
        }

        private static IOException malformed() {
            return new IOException("malformed showq server response");
        }
    }
}
