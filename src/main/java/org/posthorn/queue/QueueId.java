package org.posthorn.queue;

import java.util.Locale;
import java.util.Optional;

/**
 * A Postfix queue ID, in either form of postconf(5) enable_long_queue_ids.
 *
 * <p>Short form: the microseconds of the creation time as exactly five upper-case hex digits,
 * then the file's inode number in upper-case hex ({@code 1C81720E713}). Long form: the
 * seconds in base 52 (at least six characters), the microseconds in base 52 (exactly four),
 * a {@code z}, then the inode number in base 51 so that it never contains a {@code z}
 * ({@code 3Pt2mN2VXxznjll}). The base-52 alphabet is Postfix's "safe" one: digits and
 * letters without vowels. Uniqueness comes from the inode: no two live files on one file
 * system share one.
 *
 * @param text the ID as it appears in file names and logs
 * @param longForm whether it is a long ID
 * @param seconds the creation second (long IDs only; -1 for short ones)
 * @param microseconds the microsecond part of the creation time
 * @param inode the inode number the file had when the ID was made
 */
public record QueueId(String text, boolean longForm, long seconds, int microseconds, long inode) {
    /** Postfix's safe alphabet (safe_ultostr): 10 digits, 21 upper-case, 21 lower-case consonants. */
    static final String SAFE_CHARS = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
    static final int SHORT_USEC_WIDTH = 5;
    static final int LONG_SEC_MIN_WIDTH = 6;
    static final int LONG_USEC_WIDTH = 4;
    static final char LONG_INODE_SEPARATOR = 'z';
    /** A queue file name may be at most as long as a host name (mail_queue_id_ok). */
    static final int MAX_LENGTH = 255;

    /** The short form for a creation time's microseconds and an inode number. */
    public static String shortForm(int microseconds, long inode) {
        return hex(microseconds, SHORT_USEC_WIDTH) + hex(inode, 1); // per message: no Formatter
    }

    /** Upper-case hex, zero-padded to at least width digits. */
    private static String hex(long value, int width) {
        String digits = Long.toHexString(value).toUpperCase(Locale.ROOT);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    /** The long form for a creation time (seconds and microseconds) and an inode number. */
    public static String longForm(long seconds, int microseconds, long inode) {
        return encode(seconds, 52, LONG_SEC_MIN_WIDTH) + encode(microseconds, 52, LONG_USEC_WIDTH)
                + LONG_INODE_SEPARATOR + encode(inode, 51, 0);
    }

    /**
     * Whether a name may be used as a queue file name: 1 to 255 letters, digits and
     * underscores (Postfix also accepts fast-flush log names like {@code example_com}).
     * Postfix's tools reject anything else as "bad mail queue ID" before touching a path.
     */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
            if (!alnum && c != '_') return false;
        }
        return true;
    }

    /** Decodes a short or long queue ID; empty when the text is neither. */
    public static Optional<QueueId> parse(String text) {
        if (!isValid(text)) return Optional.empty();
        int z = longSeparator(text);
        if (z >= 0) {
            long sec = decode(text, 0, z - LONG_USEC_WIDTH, 52);
            long usec = decode(text, z - LONG_USEC_WIDTH, z, 52);
            long inode = decode(text, z + 1, text.length(), 51);
            if (sec < 0 || usec < 0 || usec > 999_999 || inode <= 0) return Optional.empty();
            return Optional.of(new QueueId(text, true, sec, (int) usec, inode));
        }
        if (text.length() <= SHORT_USEC_WIDTH || text.length() > SHORT_USEC_WIDTH + 16) return Optional.empty();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return Optional.empty();
        }
        int usec = Integer.parseInt(text.substring(0, SHORT_USEC_WIDTH), 16);
        long inode = Long.parseUnsignedLong(text.substring(SHORT_USEC_WIDTH), 16);
        return Optional.of(new QueueId(text, false, -1, usec, inode));
    }

    /**
     * The characters hashed subdirectories are named after: the ID itself for a short ID;
     * for a long ID its microseconds re-encoded as five hex digits, so that a queue hashes
     * the same whichever form its IDs have (Postfix's mail_queue_dir).
     */
    public static String hashKey(String name) {
        int z = longSeparator(name);
        if (z < 0) return name;
        long usec = decode(name, z - LONG_USEC_WIDTH, z, 52);
        return usec < 0 ? name : hex(usec, SHORT_USEC_WIDTH);
    }

    /** This ID's hash key, see {@link #hashKey(String)}. */
    public String hashKey() {
        return hashKey(text);
    }

    @Override
    public String toString() {
        return text;
    }

    /** Index of the long form's inode separator, or -1: the last 'z', after a full time field. */
    private static int longSeparator(String name) {
        int z = name.lastIndexOf(LONG_INODE_SEPARATOR);
        return z >= LONG_SEC_MIN_WIDTH + LONG_USEC_WIDTH ? z : -1;
    }

    static String encode(long value, int base, int minWidth) {
        if (value < 0) throw new IllegalArgumentException("negative value " + value);
        StringBuilder out = new StringBuilder();
        for (long v = value; v != 0; v /= base) out.append(SAFE_CHARS.charAt((int) (v % base)));
        while (out.length() < minWidth) out.append('0');
        return out.reverse().toString();
    }

    /** Decodes safe-alphabet digits in [from, to); -1 for an empty or bad field or overflow. */
    static long decode(String s, int from, int to, int base) {
        if (from >= to) return -1;
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = SAFE_CHARS.indexOf(s.charAt(i));
            if (d < 0 || d >= base) return -1;
            if (v > (Long.MAX_VALUE - d) / base) return -1;
            v = v * base + d;
        }
        return v;
    }
}
