package org.posthorn.interop;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;

/**
 * A test trigger server (as pickup and qmgr are): records "service:bytes" for each trigger
 * and "service:wakeup" for each timer wakeup, in a queue and, when the row's
 * test_trigger_log parameter names a file, in that file.
 */
public class TriggerTestService implements Service {
    static final BlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();

    @Override
    public boolean triggerServer() {
        return true;
    }

    @Override
    public void trigger(byte[] request, ServiceContext context) throws Exception {
        record(context, new String(request, StandardCharsets.US_ASCII));
    }

    @Override
    public void wakeup(ServiceContext context) throws Exception {
        record(context, "wakeup");
    }

    private static void record(ServiceContext context, String what) throws Exception {
        String event = context.entry().name() + ":" + what;
        EVENTS.add(event);
        String file = context.config().get("test_trigger_log");
        if (!file.isEmpty()) {
            Files.writeString(Path.of(file), event + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
