package org.posthorn.smtpd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.config.Config;
import org.posthorn.config.MasterCf;
import org.posthorn.log.Log;
import org.posthorn.log.LogSink;
import org.posthorn.master.ServiceContext;

/**
 * SmtpdService on a loopback port chosen at run time, with a given main.cf and a test
 * cleanup, playing the master's part: one virtual thread per connection.
 */
public final class TestServer implements AutoCloseable {
    private static final List<String> LOG = new CopyOnWriteArrayList<>();
    private static volatile Recorder recorder;
    /** The server whose session runs on this thread: its lines are also kept apart (see lines()). */
    private static final ThreadLocal<TestServer> SERVING = new ThreadLocal<>();

    /** Collects every line; other tests may close all sinks (Log.clearSinks), so it is re-added per server. */
    private static final class Recorder implements LogSink {
        volatile boolean closed;

        @Override
        public void write(Log.Severity severity, String tag, long pid, String text) {
            LOG.add(text);
            TestServer server = SERVING.get();
            if (server != null) server.lines.add(text);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static synchronized void ensureRecorder() {
        Log.setStderr(false);
        if (recorder == null || recorder.closed) {
            recorder = new Recorder();
            Log.addSink(recorder);
        }
    }

    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final SmtpdService service = new SmtpdService();
    private final List<String> lines = new CopyOnWriteArrayList<>();

    public TestServer(Map<String, String> mainCf, Cleanup cleanup) throws IOException {
        this(mainCf, cleanup, 0);
    }

    /**
     * With {@code acceptDelayMillis}, each session starts that long after the connection is
     * accepted, as a forked smtpd process would: a client that talks before the greeting is
     * then reliably seen doing so.
     */
    public TestServer(Map<String, String> mainCf, Cleanup cleanup, long acceptDelayMillis) throws IOException {
        ensureRecorder();
        Config config = Config.of(Path.of("/nonexistent"), mainCf);
        // ETRN: fast-flush logs in a queue directory of their own; qmgr triggers go nowhere
        Path spool = java.nio.file.Files.createTempDirectory("smtpd-flush");
        java.nio.file.Files.createDirectories(spool.resolve("flush"));
        org.posthorn.flush.Flush flush = new org.posthorn.flush.FlushLogs(org.posthorn.queue.QueueDirectory.of(spool),
                org.posthorn.flush.FlushDomains.of(config), 43200, 604800, java.time.Clock.systemUTC(),
                Log.of("postfix", "flush"), bytes -> { });
        ServiceContext context = new ServiceContext() {
            @Override
            public MasterCf.Service entry() {
                return null;
            }

            @Override
            public Config config() {
                return config;
            }

            @Override
            public Log log() {
                return Log.of("postfix", "smtpd");
            }

            @Override
            public Path queueDirectory() {
                return Path.of("/nonexistent");
            }

            @Override
            public <T> T seam(Class<T> type) {
                if (type == org.posthorn.rewrite.TrivialRewrite.class) {
                    try {
                        return type.cast(org.posthorn.rewrite.TrivialRewriter.create(config, Log.of("postfix", "trivial-rewrite")));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                if (type == org.posthorn.flush.Flush.class) return type.cast(flush);
                return type.cast(cleanup);
            }

            @Override
            public boolean stopping() {
                return false;
            }
        };
        service.start(context);
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        acceptor = Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel c = server.accept();
                    Thread.ofVirtual().start(() -> {
                        SERVING.set(this);
                        try (c) {
                            if (acceptDelayMillis > 0) Thread.sleep(acceptDelayMillis);
                            service.serve(c, context);
                        } catch (Exception e) {
                            LOG.add("test server: " + e);
                            lines.add("test server: " + e); // a session that died shows in its server's lines too
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    public int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /**
     * The lines logged by this server's sessions only: a window of {@link #log()} can also
     * hold lines of another server's session that ended late.
     */
    public List<String> lines() {
        return lines;
    }

    /** Every log line so far (all test servers share one sink). */
    public static List<String> log() {
        return LOG;
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
