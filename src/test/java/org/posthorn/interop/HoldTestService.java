package org.posthorn.interop;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;

/** A test Service that greets and then holds the connection until the client closes, counting sessions. */
public class HoldTestService implements Service {
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger MAX = new AtomicInteger();

    @Override
    public void serve(SocketChannel connection, ServiceContext context) throws Exception {
        int now = RUNNING.incrementAndGet();
        MAX.accumulateAndGet(now, Math::max);
        try {
            connection.write(ByteBuffer.wrap("220 held\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(256);
            while (connection.read(buf) >= 0) buf.clear();
        } finally {
            RUNNING.decrementAndGet();
        }
    }
}
