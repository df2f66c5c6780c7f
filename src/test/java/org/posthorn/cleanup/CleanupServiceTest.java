package org.posthorn.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.config.MasterCf;
import org.posthorn.log.Log;
import org.posthorn.master.ServiceContext;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.rewrite.Resolution;
import org.posthorn.rewrite.RewriteContext;
import org.posthorn.rewrite.TrivialRewrite;

/** The master.cf service: cleanup takes trivial-rewrite's seam and offers its own. */
class CleanupServiceTest {
    @TempDir
    Path tmp;

    @Test
    void startUsesTheTrivialRewriteSeamAndRegistersCleanup() throws Exception {
        Map<String, String> conf = new HashMap<>();
        conf.put("queue_directory", tmp.resolve("spool").toString());
        conf.put("myhostname", "mx.example.test");
        QueueDirectory.of(tmp.resolve("spool")).setPermissions();
        Config config = Config.of(tmp, conf);
        Map<Class<?>, Object> registered = new HashMap<>();
        TrivialRewrite marker = new TrivialRewrite() {
            @Override
            public String rewrite(RewriteContext context, String address) {
                return address.contains("@") ? address : address + "@seam.example";
            }

            @Override
            public Resolution resolve(String sender, String address) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Resolution resolveForVerify(String sender, String address) {
                throw new UnsupportedOperationException();
            }
        };
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
                return Log.of("cleanup");
            }

            @Override
            public Path queueDirectory() {
                return tmp.resolve("spool");
            }

            @Override
            public <T> T seam(Class<T> type) {
                assertThat(type).isEqualTo(TrivialRewrite.class);
                return type.cast(marker);
            }

            @Override
            public <T> void register(Class<T> type, T implementation) {
                registered.put(type, implementation);
            }

            @Override
            public boolean stopping() {
                return false;
            }
        };
        new CleanupService().start(context);
        assertThat(registered).containsOnlyKeys(Cleanup.class);
        CleanupDaemon daemon = (CleanupDaemon) registered.get(Cleanup.class);
        assertThat(daemon.rewriteInternal(RewriteContext.LOCAL, "joe")).isEqualTo("joe@seam.example");
    }
}
