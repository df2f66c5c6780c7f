package org.posthorn.smtpd;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Run in a JVM with a small heap (-Xmx64m): sends a 50 MB message by DATA and another by
 * BDAT through an SmtpdSession into a counting test cleanup, and exits 0 only when both
 * were queued whole. The heap cannot hold one such message, so success shows that the
 * session streams content instead of buffering it.
 */
public final class BigMessageCheck {
    static final int MB = 1024 * 1024;

    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(args.length > 0 ? args[0] : String.valueOf(50L * MB));
        Path dir = Files.createTempDirectory("bigmsg");
        RecordingCleanup cleanup = new RecordingCleanup(dir, true);
        Map<String, String> cf = Map.of("myhostname", "big.test", "message_size_limit", "0",
                "smtpd_error_sleep_time", "0s", "smtpd_forbid_unauth_pipelining", "no",
                // no recipient validation: b@big.test is a local address and there is no user b
                "local_recipient_maps", "");
        try (TestServer server = new TestServer(cf, cleanup);
             Socket s = new Socket("127.0.0.1", server.port())) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            expect(in, "220");
            send(out, "EHLO c.test\r\n");
            expect(in, "250");
            send(out, "MAIL FROM:<a@c.test>\r\n");
            expect(in, "250");
            send(out, "RCPT TO:<b@big.test>\r\n");
            expect(in, "250");
            send(out, "DATA\r\n");
            expect(in, "354");
            byte[] line = new byte[1000];
            Arrays.fill(line, (byte) 'x');
            line[998] = '\r';
            line[999] = '\n';
            send(out, "Subject: big\r\n\r\n");
            for (long sent = 0; sent < size; sent += line.length) out.write(line);
            send(out, ".\r\n");
            String r1 = expect(in, "250");
            send(out, "MAIL FROM:<a@c.test>\r\n");
            expect(in, "250");
            send(out, "RCPT TO:<b@big.test>\r\n");
            expect(in, "250");
            long chunk = 10L * MB;
            for (long sent = 0; sent < size; sent += chunk) {
                boolean last = sent + chunk >= size;
                send(out, "BDAT " + chunk + (last ? " LAST" : "") + "\r\n");
                for (long n = 0; n < chunk; n += line.length) out.write(line, 0, (int) Math.min(line.length, chunk - n));
                out.flush();
                expect(in, "250");
            }
            send(out, "QUIT\r\n");
            expect(in, "221");
            long heapMb = (Runtime.getRuntime().maxMemory()) / MB;
            System.out.println("queued " + cleanup.messages.size() + " messages, bytes "
                    + cleanup.messages.stream().map(m -> String.valueOf(m.bytes())).toList() + " max heap " + heapMb
                    + " MB; " + r1);
            // the test cleanup keeps lines with LF only, so it counts 1 byte less per line than sent
            boolean ok = cleanup.messages.size() == 2 && cleanup.messages.stream().allMatch(m -> m.bytes() >= size * 99 / 100);
            System.exit(ok ? 0 : 1);
        }
    }

    private static void send(OutputStream out, String text) throws Exception {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one reply (all its lines) and fails unless it starts with the prefix. */
    private static String expect(InputStream in, String prefix) throws Exception {
        StringBuilder reply = new StringBuilder();
        for (;;) {
            StringBuilder l = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') if (c != '\r') l.append((char) c);
            if (c < 0) throw new IllegalStateException("connection closed after " + reply);
            reply.append(l).append('\n');
            if (l.length() < 4 || l.charAt(3) != '-') break;
        }
        if (!reply.toString().startsWith(prefix)) throw new IllegalStateException("expected " + prefix + ": " + reply);
        return reply.toString().strip();
    }
}
