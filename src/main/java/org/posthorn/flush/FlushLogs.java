package org.posthorn.flush;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.posthorn.log.Log;
import org.posthorn.master.PublicSocket;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueId;
import org.posthorn.queue.QueueName;

/**
 * The fast-flush logs under flush/ (Postfix's flush(8) server side): one file per eligible
 * destination, named after the lower-cased site with every character other than a letter
 * or digit made {@code _}, holding one queue ID per line. A send moves the listed messages
 * from deferred/ to incoming/ with the current time, empties the log (mail that is
 * deferred again is added back) and wakes qmgr; a site send first tells qmgr to forget dead
 * destinations, a single-file send marks the file with the group-read bit instead (qmgr
 * unthrottles that message's destinations), as Postfix's UNTHROTTLE_BEFORE and _AFTER do.
 */
public final class FlushLogs implements Flush {
    /** Queue IDs remembered per send to skip duplicates (Postfix's graceful limit). */
    private static final int DUPLICATE_FILTER_SIZE = 10_000;
    /** The qmgr "unthrottle" mode bit a flushed queue file may carry (S_IRGRP). */
    static final int UNTHROTTLE_BIT = 0040;
    /** One writer at a time: the logs are small and the lock is held only for file edits. */
    private static final ReentrantLock LOCK = new ReentrantLock();

    private final QueueDirectory queue;
    private final FlushDomains domains;
    private final long refreshSeconds;
    private final long purgeSeconds;
    private final Clock clock;
    private final Log log;
    private final Consumer<String> qmgr;

    /**
     * @param qmgr sends trigger bytes to qmgr (normally {@link #qmgrTrigger})
     */
    public FlushLogs(QueueDirectory queue, FlushDomains domains, long refreshSeconds, long purgeSeconds, Clock clock,
                     Log log, Consumer<String> qmgr) {
        this.queue = queue;
        this.domains = domains;
        this.refreshSeconds = refreshSeconds;
        this.purgeSeconds = purgeSeconds;
        this.clock = clock;
        this.log = log;
        this.qmgr = qmgr;
    }

    /** Trigger bytes to the running qmgr through public/qmgr. */
    public static Consumer<String> qmgrTrigger(Path queueDirectory, Log log) {
        return bytes -> {
            if (!PublicSocket.trigger(queueDirectory, "qmgr", bytes)) log.warning("cannot trigger qmgr: mail system is down");
        };
    }

    /** The log file name of a site: lower case, letters and digits kept, anything else {@code _}. */
    static String logName(String site) {
        StringBuilder b = new StringBuilder(site.length());
        for (char c : site.toLowerCase(Locale.ROOT).toCharArray()) {
            b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_');
        }
        return b.toString();
    }

    @Override
    public Status add(String site, String queueId) {
        if (!QueueId.isValid(queueId)) return Status.BAD;
        Status eligible = domains.check(site.toLowerCase(Locale.ROOT));
        if (eligible != Status.OK) return eligible;
        String name = logName(site);
        if (!QueueId.isValid(name)) return Status.BAD;
        Path file = queue.dir(QueueName.FLUSH).resolve(name);
        LOCK.lock();
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer line = ByteBuffer.wrap((queueId + "\n").getBytes(StandardCharsets.US_ASCII));
            while (line.hasRemaining()) ch.write(line);
            return Status.OK;
        } catch (IOException e) {
            log.warning("write fast flush logfile %s: %s", file, e.getMessage());
            return Status.FAIL;
        } finally {
            LOCK.unlock();
        }
    }

    @Override
    public Status sendSite(String site) {
        Status eligible = domains.check(site.toLowerCase(Locale.ROOT));
        if (eligible != Status.OK) return eligible;
        String name = logName(site);
        if (!QueueId.isValid(name)) return Status.BAD;
        return sendLog(name, true);
    }

    @Override
    public Status sendFile(String queueId) {
        if (!QueueId.isValid(queueId)) return Status.BAD;
        if (moveToIncoming(queueId, FileTime.from(clock.instant()), true)) qmgr.accept("I");
        return Status.OK;
    }

    @Override
    public Status refresh() {
        return refreshOlderThan(refreshSeconds);
    }

    @Override
    public Status purge() {
        return refreshOlderThan(0);
    }

    /**
     * Delivers what a log lists and empties it.
     *
     * @param unthrottleBefore whether qmgr first forgets dead destinations (a site send);
     *                         a refresh only reschedules the mail
     */
    private Status sendLog(String name, boolean unthrottleBefore) {
        Path file = queue.dir(QueueName.FLUSH).resolve(name);
        int moved = 0;
        LOCK.lock();
        try {
            List<String> ids;
            try {
                ids = Files.readAllLines(file, StandardCharsets.US_ASCII);
            } catch (NoSuchFileException e) {
                return Status.OK; // nothing was deferred for this site
            }
            if (unthrottleBefore) qmgr.accept("F");
            FileTime now = FileTime.from(clock.instant());
            Set<String> seen = new HashSet<>();
            for (String id : ids) {
                if (!QueueId.isValid(id)) {
                    log.warning("bad queue id \"%.30s...\" in fast flush logfile %s", id, name);
                    continue;
                }
                if (seen.size() < DUPLICATE_FILTER_SIZE && !seen.add(id)) continue;
                if (moveToIncoming(id, now, false)) moved++;
            }
            if (!ids.isEmpty()) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    ch.truncate(0);
                }
            }
            // the log's access time says when it was last read (fast_flush_refresh_time)
            Files.getFileAttributeView(file, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(now, now, null);
        } catch (IOException e) {
            log.warning("fast flush logfile %s: %s", file, e.getMessage());
            return Status.FAIL;
        } finally {
            LOCK.unlock();
        }
        if (moved > 0) qmgr.accept("I");
        return Status.OK;
    }

    /**
     * Gives a deferred (or already incoming) message the current time and moves it to
     * incoming/. False when it is in neither queue or not a finished file.
     */
    private boolean moveToIncoming(String id, FileTime now, boolean unthrottleAfter) {
        for (QueueName q : new QueueName[]{QueueName.DEFERRED, QueueName.INCOMING}) {
            Path path = queue.path(q, id);
            try {
                int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if ((mode & 0170700) != 0100700) return false; // not finished: leave it alone
                Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(now, now, null);
                if (unthrottleAfter) {
                    Files.setAttribute(path, "unix:mode", (mode & 07777) | UNTHROTTLE_BIT, LinkOption.NOFOLLOW_LINKS);
                }
                if (q != QueueName.INCOMING) queue.rename(id, q, QueueName.INCOMING);
                return true;
            } catch (NoSuchFileException e) {
                // not in this queue (qmgr may just have taken it): try the next
            } catch (IOException e) {
                log.warning("%s: flush queue file: %s", id, e.getMessage());
                return false;
            }
        }
        return false;
    }

    private Status refreshOlderThan(long maxAgeSeconds) {
        Path dir = queue.dir(QueueName.FLUSH);
        List<Path> logs = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(logs::add);
        } catch (NoSuchFileException e) {
            return Status.OK;
        } catch (IOException e) {
            log.warning("scan %s: %s", dir, e.getMessage());
            return Status.FAIL;
        }
        Instant now = clock.instant();
        for (Path p : logs) {
            String name = p.getFileName().toString();
            if (!QueueId.isValid(name)) continue;
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                continue; // gone meanwhile
            }
            if (!a.isRegularFile()) continue;
            if (a.size() == 0) {
                if (a.lastModifiedTime().toInstant().plusSeconds(purgeSeconds).isBefore(now)) {
                    LOCK.lock();
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        log.warning("remove logfile %s: %s", p, e.getMessage());
                    } finally {
                        LOCK.unlock();
                    }
                }
            } else if (!a.lastAccessTime().toInstant().plusSeconds(maxAgeSeconds).isAfter(now)) {
                sendLog(name, false);
            }
        }
        return Status.OK;
    }
}
