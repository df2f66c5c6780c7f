package org.posthorn.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.posthorn.config.Config;
import org.posthorn.config.ConfigException;

/**
 * Chooses the log sinks from main.cf as Postfix does: maillog_file when set (its path must
 * start with one of maillog_file_prefixes; /dev/stdout is standard output), otherwise
 * syslog through /dev/log when that socket exists, otherwise nothing. {@code postfix
 * start-fg} adds standard output.
 */
public final class LogSetup {
    /** Postfix's defaults, for a parameter registry that does not know these names yet. */
    private static final String DEFAULT_PREFIXES = "/var, /dev/stdout";
    private static final String DEFAULT_FACILITY = "mail";
    private static final String STDOUT = "/dev/stdout";

    private LogSetup() {
    }

    /**
     * Replaces the process's sinks with those main.cf asks for.
     *
     * @param foreground also log to standard output (start-fg)
     */
    public static void configure(Config config, boolean foreground) throws ConfigException, IOException {
        configure(config, foreground, SyslogSink.DEV_LOG);
    }

    static void configure(Config config, boolean foreground, Path devLog) throws ConfigException, IOException {
        Log.clearSinks();
        String name = config.get("syslog_name").strip();
        Log.setSyslogName(name.isEmpty() ? "postfix" : name);
        String host = hostname(config);
        String maillog = config.get("maillog_file").strip();
        boolean stdout = false;
        if (!maillog.isEmpty()) {
            checkPrefix(maillog, value(config, "maillog_file_prefixes", DEFAULT_PREFIXES));
            if (maillog.equals(STDOUT)) {
                Log.addSink(FileSink.stdout(host));
                stdout = true;
            } else {
                Path file = Path.of(maillog);
                if (file.getParent() != null) Files.createDirectories(file.getParent());
                Log.addSink(FileSink.open(file, host));
            }
        } else {
            String facility = value(config, "syslog_facility", DEFAULT_FACILITY);
            try {
                SyslogSink.facility(facility);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
            SyslogSink syslog = SyslogSink.open(devLog, facility);
            if (syslog != null) Log.addSink(syslog);
        }
        if (foreground && !stdout) Log.addSink(FileSink.stdout(host));
    }

    /** Postfix's maillog_file check: the path must begin with one of the prefixes. */
    static void checkPrefix(String maillog, String prefixes) throws ConfigException {
        for (String p : prefixes.split("[,\\s]+")) {
            if (!p.isEmpty() && maillog.startsWith(p)) return;
        }
        throw new ConfigException("maillog_file value '" + maillog + "' does not match any prefix in maillog_file_prefixes");
    }

    /** The host name in maillog_file lines: myhostname, else the kernel's host name. */
    static String hostname(Config config) {
        String h = config.get("myhostname").strip();
        if (!h.isEmpty()) return h;
        try {
            h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            h = "";
        }
        return h.isEmpty() ? "localhost" : h;
    }

    private static String value(Config config, String name, String fallback) {
        return config.raw(name) == null ? fallback : config.get(name).strip();
    }
}
