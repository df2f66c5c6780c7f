package org.posthorn.interop;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.posthorn.rewrite.AttributeStream;

/** A client of Postfix's internal attribute protocol over a UNIX-domain socket, for talking to a real Postfix daemon. */
final class AttrClient implements AutoCloseable {
    private final SocketChannel channel;
    private final AttributeStream stream;

    AttrClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        stream = new AttributeStream(new BufferedInputStream(Channels.newInputStream(channel)),
                Channels.newOutputStream(channel));
    }

    /** Sends one request: names and values in order. */
    void send(String... nameValues) throws IOException {
        stream.write(nameValues);
    }

    /** Reads one reply: (name, value) pairs in order (names may repeat). */
    List<Map.Entry<String, String>> receive() throws IOException {
        List<Map.Entry<String, String>> reply = stream.readList();
        if (reply == null) throw new EOFException("server closed the connection");
        return reply;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
