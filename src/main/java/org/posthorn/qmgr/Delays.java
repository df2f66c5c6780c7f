package org.posthorn.qmgr;

import java.time.Duration;

/**
 * Postfix's number format for the delay= and delays= fields of delivery log lines: large
 * values rounded to whole seconds, small ones with two significant digits, never more
 * decimals than delay_logging_resolution_limit, no trailing zeros (0, 0.03, 4.5, 123).
 */
public final class Delays {
    private static final int MILLION = 1_000_000;
    private static final int[] POW10 = {1, 10, 100, 1000, 10000, 100000, 1000000};
    /** Significant digits of small values. */
    static final int SIGNIFICANT = 2;

    private Delays() {
    }

    /** Formats a duration (negative counts as 0) with at most maxDecimals (0..6) decimals. */
    public static String format(Duration d, int maxDecimals) {
        if (d.isNegative()) d = Duration.ZERO;
        return format(d.getSeconds(), d.getNano() / 1000, SIGNIFICANT, maxDecimals);
    }

    /** The algorithm of Postfix's format_tv, for seconds and microseconds. */
    static String format(long sec, long usec, int sigDigits, int maxDecimals) {
        if (maxDecimals < 0 || maxDecimals > 6) throw new IllegalArgumentException("bad decimal count " + maxDecimals);
        long ures = MILLION / POW10[maxDecimals];
        long wid = POW10[sigDigits];
        if (ures < MILLION) {
            if (sec > 0) {
                long n = 1;
                while (sec >= n && n <= wid / 10) n *= 10;
                ures = (MILLION / wid) * n;
            } else {
                while (usec >= wid * ures) ures *= 10;
            }
        }
        if (ures > 1) {
            usec += ures / 2;
            if (usec >= MILLION) {
                sec += 1;
                usec -= MILLION;
            }
        }
        StringBuilder b = new StringBuilder().append(sec);
        if (usec >= ures) {
            b.append('.');
            long rem = usec;
            for (long n = MILLION / 10; rem >= ures && n > 0; n /= 10) {
                b.append((char) ('0' + rem / n));
                rem %= n;
            }
        }
        return b.toString();
    }
}
