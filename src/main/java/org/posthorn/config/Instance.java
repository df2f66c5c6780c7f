package org.posthorn.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which configuration directory a command or the master uses: Postfix's -c option, then
 * MAIL_CONFIG, then the checkout's default instance under var/etc (made on first use).
 */
public final class Instance {
    private Instance() {
    }

    /** The checkout Posthorn runs from (the launcher sets POSTHORN_HOME). */
    public static Path home() {
        String h = System.getenv("POSTHORN_HOME");
        if (h == null) h = System.getProperty("posthorn.home", ".");
        return Path.of(h).toAbsolutePath().normalize();
    }

    /** The configuration directory for -c (may be null). */
    public static Path configDir(String cOption) {
        if (cOption != null) return Path.of(cOption).toAbsolutePath().normalize();
        String env = System.getenv("MAIL_CONFIG");
        if (env != null && !env.isEmpty()) return Path.of(env).toAbsolutePath().normalize();
        Path dir = home().resolve("var/etc");
        try {
            DefaultInstance.create(home(), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the default instance in " + dir, e);
        }
        return dir;
    }

    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve("main.cf"));
    }
}
