package org.posthorn.log;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The two line shapes Postfix writes: the maillog_file line of postlogd(8)
 * ({@code Mon dd HH:MM:SS host tag[pid]: text}, day zero-padded, first label of the host
 * name) and the syslog datagram that the C library's syslog(3) sends to /dev/log
 * ({@code <PRI>Mon dd HH:MM:SS tag[pid]: text}, day space-padded, no host).
 */
public final class LineFormat {
    /** Postfix truncates a record's text to 2000 characters (msg_logger.c, msg_syslog.c). */
    public static final int MAX_TEXT = 2000;

    private static final DateTimeFormatter FILE_STAMP = DateTimeFormatter.ofPattern("MMM dd HH:mm:ss", Locale.ENGLISH);
    private static final DateTimeFormatter SYSLOG_STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);

    private LineFormat() {
    }

    /** A maillog_file line (postlogd's strftime "%b %d %H:%M:%S"); {@code host} is used up to its first dot. */
    public static String line(LocalDateTime when, String host, String tag, long pid, String text) {
        return fileStamp(when) + " " + firstLabel(host) + " " + tag + "[" + pid + "]: " + truncate(text);
    }

    /** The last second formatted: a busy server logs many lines a second, each formatted once. */
    private record Stamp(LocalDateTime second, String text) {
    }

    private static volatile Stamp lastStamp = new Stamp(LocalDateTime.MIN, "");

    private static String fileStamp(LocalDateTime when) {
        LocalDateTime second = when.withNano(0);
        Stamp s = lastStamp;
        if (!s.second().equals(second)) lastStamp = s = new Stamp(second, FILE_STAMP.format(second));
        return s.text();
    }

    /** A syslog datagram as glibc's syslog() builds it: "<PRI>%h %e %T tag[pid]: text". */
    public static String syslog(int priority, LocalDateTime when, String tag, long pid, String text) {
        return "<" + priority + ">" + SYSLOG_STAMP.format(when) + " " + tag + "[" + pid + "]: " + truncate(text);
    }

    static String firstLabel(String host) {
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
    }

    private static String truncate(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT);
    }
}
