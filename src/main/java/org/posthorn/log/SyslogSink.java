package org.posthorn.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Syslog through /dev/log, the way Postfix's msg_syslog does it with the C library: one
 * datagram per record, {@code <PRI>} from syslog_facility and the severity. If the socket
 * goes away (syslogd restarted) the sink reconnects once per record and otherwise drops
 * the record quietly.
 */
public final class SyslogSink implements LogSink {
    /** syslog_facility names and their codes (syslog.h). */
    static final Map<String, Integer> FACILITIES = Map.ofEntries(
            Map.entry("kern", 0), Map.entry("user", 1), Map.entry("mail", 2), Map.entry("daemon", 3),
            Map.entry("auth", 4), Map.entry("syslog", 5), Map.entry("lpr", 6), Map.entry("news", 7),
            Map.entry("uucp", 8), Map.entry("cron", 9), Map.entry("authpriv", 10), Map.entry("ftp", 11),
            Map.entry("local0", 16), Map.entry("local1", 17), Map.entry("local2", 18), Map.entry("local3", 19),
            Map.entry("local4", 20), Map.entry("local5", 21), Map.entry("local6", 22), Map.entry("local7", 23));

    public static final Path DEV_LOG = Path.of("/dev/log");

    private final Path socket;
    private final int facility;
    private final ReentrantLock lock = new ReentrantLock();
    private UnixDatagram connection;

    private SyslogSink(Path socket, int facility) {
        this.socket = socket;
        this.facility = facility;
    }

    /** A sink for {@code socket} (normally /dev/log), or null when there is no such socket. */
    public static SyslogSink open(Path socket, String facilityName) {
        if (!Files.exists(socket)) return null;
        return new SyslogSink(socket, facility(facilityName));
    }

    /** The facility code of a syslog_facility name; throws for an unknown name. */
    public static int facility(String name) {
        Integer code = FACILITIES.get(name.strip().toLowerCase(Locale.ROOT));
        if (code == null) throw new IllegalArgumentException("unknown syslog_facility value: " + name);
        return code;
    }

    /** {@code <PRI>} = facility * 8 + severity level. */
    public static int priority(int facility, Log.Severity severity) {
        return facility * 8 + severity.syslogLevel;
    }

    @Override
    public void write(Log.Severity severity, String tag, long pid, String text) {
        byte[] datagram = LineFormat.syslog(priority(facility, severity), LocalDateTime.now(), tag, pid, text)
                .getBytes(StandardCharsets.UTF_8);
        lock.lock();
        try {
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    if (connection == null) connection = UnixDatagram.connect(socket);
                    connection.send(datagram);
                    return;
                } catch (IOException e) {
                    if (connection != null) connection.close();
                    connection = null;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (connection != null) connection.close();
            connection = null;
        } finally {
            lock.unlock();
        }
    }
}
