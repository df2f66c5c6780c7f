package org.posthorn.interop;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;

/**
 * A test Service for master.cf rows: greets with the row's test_greeting parameter (so a
 * -o override shows), logs "connect from test", then echoes one line back and closes.
 */
public class EchoTestService implements Service {
    @Override
    public void serve(SocketChannel connection, ServiceContext context) throws Exception {
        OutputStream out = Channels.newOutputStream(connection);
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(connection), StandardCharsets.US_ASCII));
        context.log().info("connect from test");
        out.write(("220 " + context.config().get("test_greeting") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String line = in.readLine();
        if (line != null) {
            out.write(("250 " + line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }
}
