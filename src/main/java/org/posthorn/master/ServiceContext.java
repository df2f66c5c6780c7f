package org.posthorn.master;

import java.nio.file.Path;
import org.posthorn.config.Config;
import org.posthorn.config.MasterCf;
import org.posthorn.log.Log;

/**
 * What the master gives a running service: its master.cf row, its view of the configuration
 * (main.cf plus the row's -o overrides), its log (tagged with the row's syslog_name), and
 * the in-process seams of the other daemons (Cleanup, TrivialRewrite, Qmgr, ...).
 */
public interface ServiceContext {
    MasterCf.Service entry();

    Config config();

    Log log();

    /** $queue_directory. */
    Path queueDirectory();

    /**
     * The seam of another daemon, e.g. seam(Cleanup.class). While other services are still
     * in their first start this waits (up to a few seconds) for the provider to register;
     * throws IllegalStateException if no running service provides it.
     */
    <T> T seam(Class<T> type);

    /**
     * Offers a seam to the other services, normally from {@link Service#start}. A later
     * registration of the same type (the service restarted, or reloaded) replaces it; it is
     * withdrawn when this service's row leaves master.cf. The master's context implements
     * this; the default is for contexts that tests build.
     */
    default <T> void register(Class<T> type, T implementation) {
        throw new UnsupportedOperationException("this context takes no seams");
    }

    /** Whether the master is stopping: long-running loops end when this turns true. */
    boolean stopping();
}
