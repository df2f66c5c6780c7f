package org.posthorn.qmgr;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.posthorn.bounce.Bounce;
import org.posthorn.bounce.UnsentBounce;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;

/** A temp queue directory, a qmgr over it with a test resolver, and queue files written as cleanup writes them. */
final class QmgrFixture implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();

    final Path dir;
    final QueueDirectory queue;
    final String syslogName = "qmgrtest" + SEQ.incrementAndGet();
    final LogCapture log = new LogCapture(syslogName);
    final Map<String, String> params = new HashMap<>();
    final Map<String, String> routes = new HashMap<>();
    Bounce bounce;
    /** qmgr's clock; a test may set its own before {@link #create()}. */
    Clock clock = Clock.systemUTC();
    Qmgr qmgr;

    QmgrFixture(Path dir) {
        this.dir = dir;
        this.queue = QueueDirectory.of(dir.resolve("spool"));
        params.put("syslog_name", syslogName);
        params.put("queue_directory", queue.root().toString());
    }

    Log agentLog(String program) {
        return Log.of(syslogName, program);
    }

    /** Builds qmgr (not started) from params and routes. */
    Qmgr create() throws IOException {
        queue.check();
        Config config = Config.of(dir, params);
        Log qlog = Log.of(syslogName, "qmgr");
        Bounce b = bounce != null ? bounce : new UnsentBounce(qlog);
        TestRewrite rewrite = new TestRewrite(routes);
        qmgr = new Qmgr(config, queue, qlog, () -> rewrite, () -> b, clock, Duration.ZERO);
        return qmgr;
    }

    Qmgr start() throws IOException {
        if (qmgr == null) create();
        qmgr.start();
        return qmgr;
    }

    void idle() throws InterruptedException {
        if (!qmgr.awaitIdle(Duration.ofSeconds(20))) throw new AssertionError("qmgr did not become idle:\n" + log.all());
    }

    /** A finished queue file in incoming/ (or another queue), as cleanup writes it. */
    String message(QueueName into, Instant arrival, String sender, String... recipients) throws IOException {
        return message(into, arrival, 0, sender, recipients);
    }

    /** A message with cleanup's trace_flags attribute (1024: sendmail -v) when traceFlags is not 0. */
    String message(QueueName into, Instant arrival, int traceFlags, String sender, String... recipients)
            throws IOException {
        try (QueueFileWriter w = QueueFileWriter.create(queue, QueueName.INCOMING, 2048)) {
            w.envelopeStart(arrival, "local");
            w.sender(sender);
            if (traceFlags != 0) w.record(org.posthorn.queue.RecordType.ATTR, "trace_flags=" + traceFlags);
            for (String r : recipients) w.recipient(QueueFileWriter.Rcpt.of(r));
            w.beginContent();
            w.contentLine("Subject: test");
            w.contentLine("");
            w.contentLine("hello");
            w.endContent();
            return w.finish(into);
        }
    }

    String message(String sender, String... recipients) throws IOException {
        return message(QueueName.INCOMING, Instant.now(), sender, recipients);
    }

    @Override
    public void close() {
        if (qmgr != null) qmgr.stop();
    }
}
