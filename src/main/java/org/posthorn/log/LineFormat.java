package org.posthorn.log;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The classic syslog line: {@code Mon dd HH:MM:SS host tag[pid]: text}, day padded with a space. */
public final class LineFormat {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);

    private LineFormat() {
    }

    public static String line(LocalDateTime when, String host, String tag, long pid, String text) {
        return STAMP.format(when) + " " + host + " " + tag + "[" + pid + "]: " + text;
    }
}
