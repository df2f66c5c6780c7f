package org.posthorn.rewrite;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.table.TableFactory;

/** A TrivialRewriter over a small main.cf (host.example.test, loopback only), for unit tests. */
final class Fixtures {
    private Fixtures() {
    }

    static TrivialRewriter rewriter(String... nameValues) throws Exception {
        Map<String, String> cf = new HashMap<>();
        cf.put("myhostname", "host.example.test");
        cf.put("mydomain", "example.test");
        cf.put("inet_interfaces", "127.0.0.1");
        cf.put("inet_protocols", "ipv4");
        cf.put("helpful_warnings", "no");
        // as the default instance's main.cf: the registry's defaults follow Postfix's compatibility level 0
        cf.put("compatibility_level", "3.6");
        for (int i = 0; i + 1 < nameValues.length; i += 2) cf.put(nameValues[i], nameValues[i + 1]);
        Config config = Config.of(Path.of("/nonexistent"), cf);
        return TrivialRewriter.create(config, spec -> TableFactory.openUncached(spec, config, true),
                spec -> TableFactory.openUncached(spec, config, false), Log.of("test"));
    }
}
