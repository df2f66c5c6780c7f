package org.posthorn.master;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.posthorn.config.Config;
import org.posthorn.config.MasterCf;
import org.posthorn.log.Log;
import org.posthorn.log.LogSink;

/**
 * A ServiceContext for starting one service directly in a test: a fixed configuration,
 * one seam object, the service's log lines collected in {@link #lines}, and the seams it
 * offers collected in {@link #registered}.
 */
public final class TestServiceContext implements ServiceContext {
    private final Config config;
    private final Object seam;
    private final Log log;
    private volatile boolean stopping;
    public final List<String> lines = new CopyOnWriteArrayList<>();
    public final Map<Class<?>, Object> registered = new ConcurrentHashMap<>();
    private final LogSink sink;

    public TestServiceContext(Config config, Object seam, String program) {
        this.config = config;
        this.seam = seam;
        this.log = Log.of(program);
        this.sink = (severity, tag, pid, text) -> {
            if (tag.endsWith("/" + program)) lines.add(text);
        };
        Log.addSink(sink);
    }

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
        return log;
    }

    @Override
    public Path queueDirectory() {
        return Path.of(config.get("queue_directory"));
    }

    @Override
    public <T> T seam(Class<T> type) {
        if (type.isInstance(seam)) return type.cast(seam);
        throw new IllegalStateException("no " + type.getSimpleName() + " in this test");
    }

    @Override
    public <T> void register(Class<T> type, T implementation) {
        registered.put(type, implementation);
    }

    @Override
    public boolean stopping() {
        return stopping;
    }

    public void stop() {
        stopping = true;
    }
}
