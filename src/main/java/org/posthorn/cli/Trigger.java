package org.posthorn.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Sends a one-shot trigger to a daemon's public socket ($queue_directory/public/NAME), as
 * Postfix's mail_trigger does: connect, write the request bytes (pickup and qmgr take
 * {@code W} for wakeup; qmgr also {@code I D A F}), close. The daemon needs no reply.
 */
final class Trigger {
    private Trigger() {
    }

    /**
     * Sends the request; on failure returns the reason (e.g. {@code No such file or directory})
     * for the caller's warning, on success null.
     */
    static String send(Path queueDirectory, String service, String request) {
        Path socket = queueDirectory.resolve("public").resolve(service);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer b = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) ch.write(b);
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            String m = e.getMessage();
            if (m == null || m.contains("No such file")) return "No such file or directory";
            return m.contains("Connection refused") ? "Connection refused" : m;
        }
    }
}
