package org.posthorn.interop;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A client of Postfix's internal attribute protocol (attr_print0/attr_scan0: name NUL
 * value NUL ... and an empty name ends a request) over a UNIX-domain socket, for talking
 * to a real Postfix daemon in tests.
 */
final class AttrClient implements AutoCloseable {
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    AttrClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        in = new java.io.BufferedInputStream(Channels.newInputStream(channel));
        out = Channels.newOutputStream(channel);
    }

    /** Sends one request: names and values in order. */
    void send(String... nameValues) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String s : nameValues) {
            b.write(s.getBytes(StandardCharsets.UTF_8));
            b.write(0);
        }
        b.write(0);
        out.write(b.toByteArray());
        out.flush();
    }

    /** Reads one reply: (name, value) pairs in order (names may repeat). */
    List<Map.Entry<String, String>> receive() throws IOException {
        List<Map.Entry<String, String>> attrs = new ArrayList<>();
        while (true) {
            String name = readString();
            if (name.isEmpty()) return attrs;
            attrs.add(Map.entry(name, readString()));
        }
    }

    private String readString() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != 0) {
            if (c < 0) throw new EOFException("server closed the connection");
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
