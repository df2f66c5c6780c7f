package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.master.TestServiceContext;
import org.posthorn.qmqpd.QmqpdService;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.QueueName;

/**
 * A QMQP client written here from the protocol description (netstring packet of message,
 * sender and recipients; one netstring reply starting with K, Z or D) talks to qmqpd on a
 * loopback port, with the real cleanup daemon behind it: an accepted message lands in
 * incoming/, a malformed packet and an
 * unauthorised client are refused with D.
 */
@Tag("interop")
class QmqpLoopbackTest {
    @TempDir
    Path tmp;

    private static String ns(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length + ":" + s + ",";
    }

    private String exchange(String authorized, String bytes) throws Exception {
        Config config = Config.of(tmp, Map.of("queue_directory", tmp.resolve("q").toString(),
                "qmqpd_authorized_clients", authorized, "qmqpd_error_delay", "0s", "myhostname", "mx.test"));
        QueueDirectory queue = QueueDirectory.of(config);
        queue.check();
        TestServiceContext context = new TestServiceContext(config,
                new org.posthorn.cleanup.CleanupDaemon(config, queue, org.posthorn.log.Log.of("cleanup")), "qmqpd");
        QmqpdService service = new QmqpdService();
        String reply;
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread serverThread = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = server.accept()) {
                    service.serve(c, context);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.getLocalAddress()).getPort())) {
                s.setSoTimeout(10000);
                OutputStream out = s.getOutputStream();
                out.write(bytes.getBytes(StandardCharsets.UTF_8));
                out.flush();
                s.shutdownOutput();
                InputStream in = s.getInputStream();
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                in.transferTo(b);
                reply = b.toString(StandardCharsets.UTF_8);
            }
            serverThread.join(10000);
        }
        return reply;
    }

    @Test
    void acceptedMessageIsQueued() throws Exception {
        String reply = exchange("127.0.0.0/8", ns(ns("Subject: q\n\nhello\n") + ns("s@example.org") + ns("r@example.net")));
        assertThat(reply).matches("\\d+:KOk: queued as [0-9A-F]+,");
        String id = reply.substring(reply.indexOf("as ") + 3, reply.length() - 1);
        Path file = QueueDirectory.of(tmp.resolve("q")).path(QueueName.INCOMING, id);
        try (QueueFileReader r = QueueFileReader.open(file)) {
            assertThat(r.envelope().sender()).isEqualTo("s@example.org");
            assertThat(new String(r.contentStream("\n").readAllBytes(), StandardCharsets.UTF_8))
                    .contains("\tby mx.test (Postfix) with QMQP id " + id + "\n", "\tfor <r@example.net>; ", "Subject: q\n", "\n\nhello\n", "Message-Id: <");
        }
    }

    @Test
    void malformedPacketAndUnauthorisedClient() throws Exception {
        assertThat(exchange("127.0.0.0/8", "9:x:abc")).isEqualTo(ns("Dnetstring format error while receiving message content"));
        assertThat(exchange("192.0.2.0/24", ns(ns("x") + ns("s@x") + ns("r@y"))))
                .matches("\\d+:DError: \\S+\\[127\\.0\\.0\\.1\\] is not authorized to use this service,");
    }
}
