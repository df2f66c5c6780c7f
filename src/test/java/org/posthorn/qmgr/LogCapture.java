package org.posthorn.qmgr;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.posthorn.log.Log;
import org.posthorn.log.LogSink;

/** Collects the log lines of one syslog_name, as "tag: text". */
final class LogCapture implements LogSink {
    final String syslogName;
    final List<String> lines = new CopyOnWriteArrayList<>();

    LogCapture(String syslogName) {
        this.syslogName = syslogName;
        Log.addSink(this);
    }

    @Override
    public void write(Log.Severity severity, String tag, long pid, String text) {
        if (tag.startsWith(syslogName + "/")) lines.add(tag + ": " + text);
    }

    List<String> matching(String part) {
        return lines.stream().filter(l -> l.contains(part)).toList();
    }

    String all() {
        return String.join("\n", lines);
    }
}
