package org.posthorn.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.posthorn.config.Config;
import org.posthorn.queue.QueueDirectory;

/**
 * What {@code postfix check} and the master's start make sure of on disk: the queue tree
 * (through {@link QueueDirectory#check()}, which creates what is missing with Postfix's
 * modes) and data_directory.
 */
public final class QueueTree {
    private QueueTree() {
    }

    /**
     * Creates the queue tree and data_directory where missing.
     *
     * @param warnings receives what is wrong and was left alone (modes, owners); null to skip them
     */
    public static void create(Config config, List<String> warnings) throws IOException {
        QueueDirectory.CheckReport report = QueueDirectory.of(config).check();
        String data = config.get("data_directory").strip();
        if (!data.isEmpty() && !Files.isDirectory(Path.of(data))) {
            Files.createDirectories(Path.of(data));
            Files.setPosixFilePermissions(Path.of(data), PosixFilePermissions.fromString("rwx------"));
        }
        if (warnings != null) warnings.addAll(report.problems());
    }
}
