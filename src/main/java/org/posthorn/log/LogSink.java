package org.posthorn.log;

/** A destination of log lines: maillog_file, stdout under start-fg, or syslog via /dev/log. */
public interface LogSink {
    void write(Log.Severity severity, String tag, long pid, String text);

    default void close() {
    }
}
