package org.posthorn.bounce;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.posthorn.address.Quote;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueName;

/**
 * The per-message status logs under bounce/, defer/ (hashed like deferred/) and trace/, in
 * Postfix's format: each entry a blank line, the legacy "&lt;rcpt&gt;: reason" line, then
 * name=value lines (recipient, orig_rcpt, offset, dsn_orig_rcpt, notify_flags, status,
 * action, diag_type/diag_text, mta_type/mta_name, reason) and a blank line. An append is
 * forced to disk before it returns; if writing fails the file is cut back to its old
 * length and the error is thrown, so the recipient is not considered handled.
 */
public final class BounceLogs {
    /**
     * One recipient's entry.
     *
     * @param recipient   the recipient address (internal form)
     * @param original    the original recipient, or null
     * @param offset      its queue file record offset
     * @param dsnOrigRcpt DSN ORCPT "type;address", or null
     * @param notifyFlags DSN NOTIFY bits, 0 for none
     * @param status      RFC 3463 status (4.4.1)
     * @param action      RFC 3464 action: delayed, failed, delivered, relayed, expanded
     * @param diagnostic  "type; text" for Diagnostic-Code (smtp; 550 ...), or null
     * @param remoteMta   "type; name" for Remote-MTA (dns; mx.example), or null
     * @param reason      the text shown in logs and notices
     */
    public record Entry(String recipient, String original, long offset, String dsnOrigRcpt, int notifyFlags,
                        String status, String action, String diagnostic, String remoteMta, String reason) {
    }

    private static final int STRIPES = 64;
    private final QueueDirectory queue;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    public BounceLogs(QueueDirectory queue) {
        this.queue = queue;
        for (int i = 0; i < STRIPES; i++) locks[i] = new ReentrantLock();
    }

    /** The log file of a message: bounce/ID, defer/H/ID or trace/ID. */
    public Path path(QueueName log, String queueId) {
        return queue.path(log, queueId);
    }

    /** Appends one entry to a message's log and forces it to disk. */
    public void append(QueueName log, String queueId, Entry entry) throws IOException {
        byte[] data = format(entry).getBytes(StandardCharsets.UTF_8);
        Path file = path(log, queueId);
        ReentrantLock lock = locks[Math.floorMod(queueId.hashCode(), STRIPES)];
        lock.lock();
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                long before = ch.size();
                try {
                    ByteBuffer buf = ByteBuffer.wrap(data);
                    long at = before;
                    while (buf.hasRemaining()) at += ch.write(buf, at);
                    ch.force(true);
                } catch (IOException e) {
                    ch.truncate(before);
                    throw new IOException("append file " + log.dirName() + " " + queueId + ": " + e.getMessage(), e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Removes a message's log; false when there was none. */
    public boolean remove(QueueName log, String queueId) throws IOException {
        Path file = path(log, queueId);
        // qmgr asks for every message and there is seldom a log: access(2) answers without the
        // exception that deleteIfExists makes of a missing file (its stack trace costs more)
        if (!Files.exists(file)) return false;
        try {
            return Files.deleteIfExists(file);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** The bytes of one entry, as Postfix's bounce service appends them. */
    public static String format(Entry e) {
        StringBuilder b = new StringBuilder(256);
        String rcpt = e.recipient() == null || e.recipient().isEmpty() ? "" : Quote.quoteLocal(e.recipient());
        String reason = printable(e.reason() == null ? "" : e.reason());
        b.append('\n');
        b.append('<').append(printable(rcpt)).append(">: ").append(reason).append('\n');
        b.append("recipient=").append(rcpt.isEmpty() ? "<>" : printable(rcpt)).append('\n');
        if (e.original() != null && !e.original().isEmpty() && !e.original().equalsIgnoreCase(e.recipient())) {
            b.append("orig_rcpt=").append(printable(Quote.quoteLocal(e.original()))).append('\n');
        }
        if (e.offset() > 0) b.append("offset=").append(e.offset()).append('\n');
        if (e.dsnOrigRcpt() != null && !e.dsnOrigRcpt().isEmpty()) {
            b.append("dsn_orig_rcpt=").append(printable(e.dsnOrigRcpt())).append('\n');
        }
        if (e.notifyFlags() != 0) b.append("notify_flags=").append(e.notifyFlags()).append('\n');
        if (e.status() != null && !e.status().isEmpty()) b.append("status=").append(e.status()).append('\n');
        if (e.action() != null && !e.action().isEmpty()) b.append("action=").append(e.action()).append('\n');
        appendTyped(b, "diag_type", "diag_text", e.diagnostic());
        appendTyped(b, "mta_type", "mta_name", e.remoteMta());
        if (!reason.isEmpty()) b.append("reason=").append(reason).append('\n');
        b.append('\n');
        return b.toString();
    }

    /** "type; text" as two lines, when both halves are present. */
    private static void appendTyped(StringBuilder b, String typeKey, String textKey, String value) {
        if (value == null) return;
        int semi = value.indexOf(';');
        if (semi <= 0) return;
        String type = value.substring(0, semi).strip();
        String text = value.substring(semi + 1).strip();
        if (type.isEmpty() || text.isEmpty()) return;
        b.append(typeKey).append('=').append(printable(type)).append('\n');
        b.append(textKey).append('=').append(printable(text)).append('\n');
    }

    /** Control characters become '?', as Postfix's printable() does, so an entry stays one line per field. */
    public static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (b == null) b = new StringBuilder(s);
                b.setCharAt(i, '?');
            }
        }
        return b == null ? s : b.toString();
    }
}
