package org.posthorn.smtpd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SocketInputTest {
    private ServerSocketChannel listener;
    private SocketChannel client;
    private SocketChannel server;

    @BeforeEach
    void connect() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = SocketChannel.open(listener.getLocalAddress());
        server = listener.accept();
        server.configureBlocking(true);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        server.close();
        listener.close();
    }

    private void send(String s) throws IOException {
        client.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Sends {@code s} from another thread after {@code millis}. */
    private void sendLater(long millis, String s) {
        Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(millis);
                send(s);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static String read(SocketInput in) throws IOException {
        byte[] b = new byte[64];
        int n = in.read(b, 0, b.length);
        return n < 0 ? null : new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    /** Runs on a virtual thread, as smtpd sessions do. */
    private static <T> T virtual(java.util.concurrent.Callable<T> task) throws Exception {
        try (var exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            return exec.submit(task).get();
        }
    }

    @Test
    void bytesThatArriveWhileSpinningAreReadWithoutParking() throws Exception {
        try (SocketInput in = new SocketInput(server, server.socket().getInputStream(), 2_000_000_000L)) {
            sendLater(20, "HELO a\r\n");
            assertEquals("HELO a\r\n", virtual(() -> read(in)));
            assertEquals(1, in.spunReads);
            assertTrue(server.isBlocking(), "the channel is blocking again for the next read");
        }
    }

    @Test
    void bytesThatComeAfterTheSpinAreReadByTheBlockingRead() throws Exception {
        try (SocketInput in = new SocketInput(server, server.socket().getInputStream(), 1_000)) {
            sendLater(100, "MAIL FROM:<>\r\n");
            assertEquals("MAIL FROM:<>\r\n", virtual(() -> read(in)));
            assertEquals(0, in.spunReads);
        }
    }

    @Test
    void theSocketTimeoutStillEndsAWaitAfterTheSpin() throws Exception {
        server.socket().setSoTimeout(200);
        try (SocketInput in = new SocketInput(server, server.socket().getInputStream(), 1_000_000)) {
            long t0 = System.nanoTime();
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> virtual(() -> read(in)));
            assertTrue(e.getCause() instanceof SocketTimeoutException, e.getCause().toString());
            assertTrue(System.nanoTime() - t0 >= 150_000_000L, "waited for the timeout");
        }
    }

    @Test
    void endOfInputIsMinusOneOnEitherPath() throws Exception {
        try (SocketInput spinning = new SocketInput(server, server.socket().getInputStream(), 2_000_000_000L)) {
            send("QUIT\r\n");
            client.shutdownOutput();
            assertEquals("QUIT\r\n", virtual(() -> read(spinning)));
            assertEquals(null, virtual(() -> read(spinning)));
            assertEquals(Integer.valueOf(-1), virtual(spinning::read));
        }
    }

    @Test
    void aSingleByteReadAndZeroLengthReads() throws Exception {
        try (SocketInput in = new SocketInput(server, server.socket().getInputStream())) {
            send("xy");
            assertEquals(0, in.read(new byte[4], 0, 0));
            assertEquals(Integer.valueOf('x'), virtual(in::read));
            byte[] b = new byte[1];
            assertEquals(Integer.valueOf(1), virtual(() -> in.read(b, 0, 1)));
            assertArrayEquals(new byte[] {'y'}, b);
        }
    }

    @Test
    void eachInputCountsOnceAsAnOpenSessionUntilClosed() throws IOException {
        int before = SocketInput.open();
        SocketInput in = new SocketInput(server, server.socket().getInputStream());
        assertEquals(before + 1, SocketInput.open());
        in.close();
        in.close();
        assertEquals(before, SocketInput.open());
    }
}
