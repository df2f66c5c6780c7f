package org.posthorn.showq;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.posthorn.address.Quote;
import org.posthorn.bounce.BounceLogs;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.queue.Envelope;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.QueueId;
import org.posthorn.queue.QueueName;
import org.posthorn.queue.Recipient;

/**
 * Walks the mail queues the way Postfix's showq does and reports each finished queue file:
 * maildrop, active, incoming, deferred, hold, each in directory order (hashed
 * subdirectories entered as they come), one file at a time, so the queue is never held in
 * memory. Only each file's envelope is read; the reasons come from its defer log.
 */
public final class QueueLister {
    /** Receives one message at a time. */
    @FunctionalInterface
    public interface Sink {
        void message(ShowqMessage m) throws IOException;
    }

    /** Postfix's showq order. */
    static final List<QueueName> ORDER = List.of(QueueName.MAILDROP, QueueName.ACTIVE, QueueName.INCOMING,
            QueueName.DEFERRED, QueueName.HOLD);
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    /** The force-expire mode bit set by postsuper -e/-f. */
    private static final int FORCE_EXPIRE = 0010;
    private static final int MAX_LOG_LINE = 64 * 1024;

    private final QueueDirectory queue;
    private final String emptyAddress;
    private final int dupFilterLimit;
    private final int maxRecord;
    private final Log log;

    public QueueLister(QueueDirectory queue, String emptyAddress, int dupFilterLimit, int maxRecord, Log log) {
        this.queue = queue;
        this.emptyAddress = emptyAddress;
        this.dupFilterLimit = dupFilterLimit;
        this.maxRecord = maxRecord;
        this.log = log;
    }

    /** A lister with empty_address_recipient, duplicate_filter_limit and line_length_limit from main.cf. */
    public static QueueLister of(Config config, Log log) {
        return new QueueLister(QueueDirectory.of(config), config.get("empty_address_recipient"),
                config.getInt("duplicate_filter_limit"), Math.max(config.getInt("line_length_limit"), 1 << 20), log);
    }

    /** Reports every listable file to the sink, queue by queue. */
    public void list(Sink sink) throws IOException {
        for (QueueName q : ORDER) {
            Path dir = queue.dir(q);
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) walk(q, dir, q != QueueName.MAILDROP, 0, sink);
        }
    }

    private void walk(QueueName q, Path dir, boolean hashed, int depth, Sink sink) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                int mode;
                long size;
                try {
                    Map<String, Object> st = Files.readAttributes(p, "unix:mode,size", LinkOption.NOFOLLOW_LINKS);
                    mode = (Integer) st.get("mode");
                    size = (Long) st.get("size");
                } catch (NoSuchFileException e) {
                    continue; // moved to another queue meanwhile
                }
                if ((mode & S_IFMT) == S_IFDIR) {
                    if (hashed && name.length() == 1 && depth < 16) walk(q, p, true, depth + 1, sink);
                } else if (QueueId.isValid(name)) {
                    if ((mode & S_IFMT) != S_IFREG) {
                        log.warning("%s: not a regular file", p);
                    } else if ((mode & 0700) == 0700) { // only finished files (Postfix's mail_open_ok)
                        ShowqMessage m = read(q, name, p, mode, size);
                        if (m != null) sink.message(m);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            // a hash directory that went away
        }
    }

    /** One file's report; null when it vanished or cannot be read (logged). */
    ShowqMessage read(QueueName q, String id, Path file, int mode, long fileSize) throws IOException {
        Envelope env;
        // a maildrop file without the other-read bit was put back whole by postsuper -r (as pickup tells them apart)
        boolean fromPostdrop = q == QueueName.MAILDROP && (mode & 0004) != 0;
        try (QueueFileReader r = fromPostdrop ? QueueFileReader.openMaildrop(file, maxRecord)
                : QueueFileReader.open(file, maxRecord)) {
            env = r.envelope();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            log.warning("%s %s: %s", q.dirName(), id, e.getMessage());
            return null;
        }
        long size = env.size() != null && env.size().contentSize() > 0 ? env.size().contentSize() : fileSize;
        List<ShowqMessage.Recipient> rcpts = new ArrayList<>();
        Set<String> seen = deferReasons(id, rcpts);
        for (Recipient r : env.recipients()) {
            if (r.status() != Recipient.Status.TODO) continue;
            String address = external(r.address());
            if (!seen.contains(address)) rcpts.add(new ShowqMessage.Recipient(address, ""));
        }
        return new ShowqMessage(q.dirName(), id, env.arrivalTime().getEpochSecond(), size,
                (mode & FORCE_EXPIRE) != 0, external(env.sender()), rcpts);
    }

    /**
     * The recipients of the message's defer log with their reasons, in log order; returns
     * the addresses seen (up to duplicate_filter_limit, 0 = no limit) so the queue file's
     * own recipient records do not list them again.
     */
    private Set<String> deferReasons(String id, List<ShowqMessage.Recipient> out) throws IOException {
        Set<String> seen = new HashSet<>();
        Path file = queue.path(QueueName.DEFER, id);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return seen; // the common case: cheaper than the exception
        BufferedReader in;
        try {
            in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return seen;
        }
        try (in) {
            String recipient = null;
            String reason = "";
            String line;
            while ((line = in.readLine()) != null) {
                if (line.length() > MAX_LOG_LINE) line = line.substring(0, MAX_LOG_LINE);
                if (line.isEmpty()) {
                    if (recipient != null) add(out, seen, recipient, reason);
                    recipient = null;
                    reason = "";
                } else if (line.startsWith("recipient=")) {
                    recipient = line.substring(10);
                } else if (line.startsWith("reason=")) {
                    reason = line.substring(7);
                }
            }
            if (recipient != null) add(out, seen, recipient, reason);
        } catch (java.io.UncheckedIOException | java.nio.charset.CharacterCodingException e) {
            log.warning("%s: %s", file, e.getMessage());
        }
        return seen;
    }

    private void add(List<ShowqMessage.Recipient> out, Set<String> seen, String recipient, String reason) {
        if (dupFilterLimit == 0 || seen.size() < dupFilterLimit) seen.add(recipient);
        out.add(new ShowqMessage.Recipient(recipient, reason));
    }

    /** An envelope address as showq prints it: the null address as empty_address_recipient, quoted, printable. */
    private String external(String address) {
        return BounceLogs.printable(Quote.quoteLocal(address.isEmpty() ? emptyAddress : address));
    }
}
