package org.posthorn.pickup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.log.Log;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueName;

/**
 * pickup(8) as a master service: scans maildrop/ on every wakeup (master.cf's wakeup
 * timer, a trigger written to public/pickup, which the master hands to the default
 * {@link #trigger}) and every few seconds, and feeds each complete file to cleanup through
 * {@link MaildropPickup}. A file is complete when its owner bits are {@code rwx} (postdrop
 * finishes with mode 0744, postsuper -r requeues with 0700); incomplete files are skipped
 * until they are older than daemon_timeout, then removed as stale.
 */
public final class PickupService implements Service {
    /** How often maildrop/ is scanned without a wakeup. */
    static final long SCAN_SECONDS = 5;

    private static final Set<PosixFilePermission> OWNER_RWX = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private final ReentrantLock scanLock = new ReentrantLock();
    private final Semaphore wake = new Semaphore(0);
    /** Files that cleanup refused permanently or that need what the seam cannot carry: kept, not retried until restart. */
    private final Set<String> parked = ConcurrentHashMap.newKeySet();
    private final Clock clock;
    private volatile boolean stopped;
    private volatile boolean cleanupMissing;
    private volatile Thread scanner;

    public PickupService() {
        this(Clock.systemUTC());
    }

    PickupService(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void start(ServiceContext context) {
        scanner = Thread.ofVirtual().name("pickup-scan").start(() -> {
            while (!stopped && !context.stopping()) {
                try {
                    scan(context);
                } catch (RuntimeException e) {
                    context.log().warning("maildrop scan: %s", e);
                }
                try {
                    wake.tryAcquire(SCAN_SECONDS, TimeUnit.SECONDS);
                    wake.drainPermits();
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** pickup is a trigger server: any bytes written to public/pickup mean "scan now" (see {@link #trigger}). */
    @Override
    public boolean triggerServer() {
        return true;
    }

    @Override
    public void wakeup(ServiceContext context) {
        if (scanner != null) {
            wake.release();
        } else {
            scan(context);
        }
    }

    @Override
    public void stop() {
        stopped = true;
        wake.release();
    }

    /** One pass over maildrop/; returns how many files went into the queue. */
    int scan(ServiceContext context) {
        scanLock.lock();
        try {
            Log log = context.log();
            QueueDirectory queue = QueueDirectory.of(context.config());
            int done = 0;
            try {
                List<Path> files = queue.list(QueueName.MAILDROP);
                if (files.isEmpty()) return 0;
                Cleanup cleanup = cleanup(context);
                if (cleanup == null) return 0;
                for (Path file : files) {
                    if (stopped || context.stopping()) break;
                    if (pickupOne(context, cleanup, file)) done++;
                }
            } catch (IOException e) {
                log.warning("scan %s: %s", queue.dir(QueueName.MAILDROP), e.getMessage());
            }
            return done;
        } finally {
            scanLock.unlock();
        }
    }

    /** The cleanup seam, or null (said once until it comes back) while no cleanup service runs. */
    private Cleanup cleanup(ServiceContext context) {
        try {
            Cleanup c = context.seam(Cleanup.class);
            cleanupMissing = false;
            return c;
        } catch (RuntimeException e) {
            if (!cleanupMissing) context.log().warning("no cleanup service (%s): mail stays in maildrop", e.getMessage());
            cleanupMissing = true;
            return null;
        }
    }

    private boolean pickupOne(ServiceContext context, Cleanup cleanup, Path file) {
        String id = file.getFileName().toString();
        if (parked.contains(id)) return false;
        Log log = context.log();
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            log.warning("%s: %s", file, e.getMessage());
            return false;
        }
        long uid = uid(file);
        if (!attrs.isRegularFile()) {
            log.warning("uid=%d: not a regular file: %s", uid, id);
            return false;
        }
        Set<PosixFilePermission> owner = EnumSet.copyOf(attrs.permissions());
        owner.retainAll(OWNER_RWX);
        if (!owner.equals(OWNER_RWX)) {
            long timeout = context.config().get("daemon_timeout").isEmpty() ? 18000 : context.config().getTime("daemon_timeout");
            Instant stale = attrs.lastModifiedTime().toInstant().plusSeconds(timeout);
            if (clock.instant().isAfter(stale)) {
                try {
                    Files.deleteIfExists(file);
                    log.warning("uid=%d: removed stale incomplete file %s", uid, id);
                } catch (IOException e) {
                    log.warning("remove %s: %s", file, e.getMessage());
                }
            }
            return false;
        }
        boolean fromPostdrop = attrs.permissions().contains(PosixFilePermission.OTHERS_READ); // 0744, not postsuper -r's 0700
        String mailName = context.config().get("mail_name").isBlank() ? "Postfix" : context.config().get("mail_name");
        MaildropPickup.Outcome outcome = new MaildropPickup(cleanup, log, lineLimit(context), context.config().get("myhostname"), mailName)
                .submit(file, uid, fromPostdrop, attrs.lastModifiedTime().toInstant());
        switch (outcome) {
            case QUEUED, REMOVED -> {
                return outcome == MaildropPickup.Outcome.QUEUED;
            }
            case PARKED -> parked.add(id);
            case RETRY -> {
                // temporary trouble: the next scan tries again
            }
        }
        return false;
    }

    private static int lineLimit(ServiceContext context) {
        return context.config().getInt("line_length_limit");
    }

    private static long uid(Path file) {
        try {
            return ((Number) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }
}
