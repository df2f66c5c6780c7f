package org.posthorn.log;

/** A destination of log lines: maillog_file, stdout under start-fg, or syslog via /dev/log. */
public interface LogSink {
    /** One record; {@code text} already carries the severity prefix ("warning: ...") Postfix puts there. */
    void write(Log.Severity severity, String tag, long pid, String text);

    /** Writes out what is buffered and releases the destination. */
    default void close() {
    }
}
