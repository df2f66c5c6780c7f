package org.posthorn.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.master.TestServiceContext;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.rewrite.Resolution;
import org.posthorn.rewrite.RewriteContext;
import org.posthorn.rewrite.TrivialRewrite;

/** The master.cf service: cleanup takes trivial-rewrite's seam and offers its own. */
class CleanupServiceTest {
    @TempDir
    Path tmp;

    /** A trivial-rewrite that completes bare names with a domain no configuration has. */
    static final class MarkerRewrite implements TrivialRewrite {
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
    }

    @Test
    void startUsesTheTrivialRewriteSeamAndRegistersCleanup() throws Exception {
        QueueDirectory.of(tmp.resolve("spool")).setPermissions();
        Config config = Config.of(tmp, Map.of("queue_directory", tmp.resolve("spool").toString(),
                "myhostname", "mx.example.test"));
        TestServiceContext context = new TestServiceContext(config, new MarkerRewrite(), "cleanup");
        new CleanupService().start(context);
        assertThat(context.registered).containsOnlyKeys(Cleanup.class);
        CleanupDaemon daemon = (CleanupDaemon) context.registered.get(Cleanup.class);
        assertThat(daemon.rewriteInternal(RewriteContext.LOCAL, "joe")).isEqualTo("joe@seam.example");
    }
}
