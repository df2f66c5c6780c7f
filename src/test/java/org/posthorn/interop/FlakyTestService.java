package org.posthorn.interop;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;

/** A test Service whose start fails while START_FAILURES is above zero, and whose session throws on "boom". */
public class FlakyTestService implements Service {
    static final AtomicInteger START_FAILURES = new AtomicInteger();
    static final AtomicInteger STARTS = new AtomicInteger();

    @Override
    public void start(ServiceContext context) {
        STARTS.incrementAndGet();
        if (START_FAILURES.getAndDecrement() > 0) throw new IllegalStateException("cannot open the flaky resource");
    }

    @Override
    public void serve(SocketChannel connection, ServiceContext context) throws Exception {
        connection.write(ByteBuffer.wrap("220 flaky\r\n".getBytes(StandardCharsets.US_ASCII)));
        String line = new BufferedReader(new InputStreamReader(Channels.newInputStream(connection), StandardCharsets.US_ASCII)).readLine();
        if ("boom".equals(line)) throw new IllegalStateException("boom requested");
        connection.write(ByteBuffer.wrap(("250 " + line + "\r\n").getBytes(StandardCharsets.US_ASCII)));
    }
}
