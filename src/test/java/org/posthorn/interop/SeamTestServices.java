package org.posthorn.interop;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;

/** Two test Services: one offers a Greeter seam at start, the other greets its clients through it. */
public final class SeamTestServices {
    private SeamTestServices() {
    }

    /** An in-process seam, as Cleanup or TrivialRewrite are. */
    public interface Greeter {
        String greet();
    }

    public static class Provider implements Service {
        @Override
        public void start(ServiceContext context) {
            context.register(Greeter.class, () -> "hello from " + context.entry().name());
        }
    }

    public static class Consumer implements Service {
        @Override
        public void serve(SocketChannel connection, ServiceContext context) throws Exception {
            String text = context.seam(Greeter.class).greet();
            connection.write(ByteBuffer.wrap((text + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        }
    }
}
