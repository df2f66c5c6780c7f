package org.posthorn.cli;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileLock;
import org.posthorn.queue.QueueId;
import org.posthorn.queue.QueueName;

/**
 * The work behind postsuper(1): operations on single messages by queue ID and on whole
 * queues ("ALL"), and the structure check and purge, each logged and counted as Postfix's
 * postsuper does. A file in active/ is only deleted, moved or re-flagged under an
 * exclusive lock ({@link QueueFileLock}): qmgr holds a shared one for each delivery in
 * progress, so postsuper waits for those, and a file that qmgr moved meanwhile is looked
 * for again (Postfix's two tries). qmgr forgets a message whose file left active/.
 */
final class QueueSuper {
    /** What -d, -e, -f, -h, -H and -r do, with the queues each searches by default. */
    enum Operation {
        DELETE(List.of(QueueName.MAILDROP, QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED, QueueName.HOLD)),
        EXPIRE(List.of(QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED, QueueName.HOLD)),
        EXPIRE_RELEASE(List.of(QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED, QueueName.HOLD)),
        HOLD(List.of(QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED)),
        RELEASE(List.of(QueueName.HOLD)),
        REQUEUE(List.of(QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED, QueueName.HOLD));

        private final List<QueueName> defaults;

        Operation(List<QueueName> defaults) {
            this.defaults = defaults;
        }

        List<QueueName> defaultQueues() {
            return defaults;
        }
    }

    /**
     * The queues -s and -p check by default, log queues first: their files must sit in the
     * right subdirectory before a message file is renamed together with its logs.
     */
    static final List<QueueName> DEFAULT_QUEUES = List.of(QueueName.DEFER, QueueName.BOUNCE, QueueName.TRACE,
            QueueName.MAILDROP, QueueName.INCOMING, QueueName.ACTIVE, QueueName.DEFERRED, QueueName.HOLD, QueueName.FLUSH);
    /** The per-message logs that go with a message file. */
    static final List<QueueName> LOG_QUEUES = List.of(QueueName.BOUNCE, QueueName.DEFER, QueueName.TRACE);
    /** Queues of message files (the others hold logs). */
    static final Set<QueueName> MESSAGE_QUEUES = Set.of(QueueName.MAILDROP, QueueName.INCOMING, QueueName.ACTIVE,
            QueueName.DEFERRED, QueueName.HOLD);
    /** Appended to a message renamed after its inode; not a valid queue ID, so qmgr ignores it until the second pass. */
    static final String FIX_SUFFIX = "#FIX";
    /** How old an unfinished temporary file must be before -p removes it (Postfix: one day). */
    static final Duration MAX_TEMP_AGE = Duration.ofDays(1);
    /** Hashed subdirectories are named by one character; deeper nesting than this is nobody's. */
    private static final int MAX_DEPTH = 16;

    private final QueueDirectory queue;
    private final Log log;
    private final boolean verbose;
    private final Clock clock;
    private final boolean root;

    private int requeued;
    private int deleted;
    private int expired;
    private int held;
    private int released;
    private int inodeFixed;
    private int inodeMismatch;
    private int positionMismatch;

    QueueSuper(QueueDirectory queue, Log log, boolean verbose) {
        this(queue, log, verbose, Clock.systemUTC());
    }

    QueueSuper(QueueDirectory queue, Log log, boolean verbose, Clock clock) {
        this.queue = queue;
        this.log = log;
        this.verbose = verbose;
        this.clock = clock;
        this.root = LocalUser.current().uid() == 0;
    }

    int requeued() {
        return requeued;
    }

    int deleted() {
        return deleted;
    }

    int expired() {
        return expired;
    }

    int held() {
        return held;
    }

    int released() {
        return released;
    }

    int inodeFixed() {
        return inodeFixed;
    }

    /** Whether -s moved or renamed files: a run that ends early leaves the repair half done. */
    boolean repairStarted() {
        return inodeFixed > 0 || inodeMismatch > 0 || positionMismatch > 0;
    }

    /** Whether -s renamed message files to match their inodes (IDs given by the user may now be wrong). */
    boolean namesChanged() {
        return inodeFixed > 0 || inodeMismatch > 0;
    }

    // ---------------------------------------------------------------- reporting

    /** An info line: on stderr and in the log, as Postfix's commands print every message. */
    void info(String format, Object... args) {
        if (Log.hasSinks()) System.err.println("postsuper: " + String.format(Locale.ROOT, format, args));
        log.info(format, args); // without sinks Log itself prints on stderr
    }

    /** The closing counts: one line per requested operation, zero included, in Postfix's order. */
    void report(Set<Operation> asked) {
        if (asked.contains(Operation.REQUEUE)) info("Requeued: %s", messages(requeued));
        if (asked.contains(Operation.DELETE)) info("Deleted: %s", messages(deleted));
        if (asked.contains(Operation.EXPIRE) || asked.contains(Operation.EXPIRE_RELEASE)) {
            info("Force-expired: %s", messages(expired));
        }
        if (asked.contains(Operation.HOLD)) info("Placed on hold: %s", messages(held));
        if (asked.contains(Operation.RELEASE) || asked.contains(Operation.EXPIRE_RELEASE)) {
            info("Released from hold: %s", messages(released));
        }
        if (inodeFixed > 0) info("Renamed to match inode number: %s", messages(inodeFixed));
        if (namesChanged()) log.warning("QUEUE FILE NAMES WERE CHANGED TO MATCH INODE NUMBERS");
    }

    static String messages(int n) {
        return n + " message" + (n == 1 ? "" : "s");
    }

    // ---------------------------------------------------------------- one message by ID

    /**
     * Applies an operation to the message with this ID in the first of the queues that
     * holds it as a finished file; silence when none does, a warning for a malformed ID.
     */
    void one(Operation op, List<QueueName> queues, String id) throws IOException {
        if (!QueueId.isValid(id)) {
            log.warning("invalid mail queue id: %s", id);
            return;
        }
        // two rounds: qmgr may move the file from one queue to another while we look
        for (int tries = 0; tries < 2; tries++) {
            for (QueueName q : queues) {
                if (!MESSAGE_QUEUES.contains(q) || !applies(op, q)) continue;
                Path file = queue.path(q, id);
                if (!ready(file)) continue;
                if (onFile(op, q, file, id, true)) return;
            }
        }
    }

    /** The queues an operation may act in: nothing leaves maildrop/ but by -d; -h skips hold/, -H acts only there. */
    private static boolean applies(Operation op, QueueName q) {
        return switch (op) {
            case DELETE -> true;
            case HOLD -> q != QueueName.MAILDROP && q != QueueName.HOLD;
            case RELEASE -> q == QueueName.HOLD;
            case EXPIRE, EXPIRE_RELEASE, REQUEUE -> q != QueueName.MAILDROP;
        };
    }

    /**
     * Does the operation on one located file. False when the file was gone by the time we
     * held it (another process moved it: look again).
     *
     * @param perMessage log a line per message ("ID: removed"); operations on ALL do not
     */
    private boolean onFile(Operation op, QueueName q, Path file, String id, boolean perMessage) throws IOException {
        if (q != QueueName.ACTIVE) return act(op, q, file, id, perMessage);
        // qmgr holds a shared lock for each delivery in progress: wait until they are done
        try (QueueFileLock lock = QueueFileLock.open(file)) {
            if (!lock.tryExclusive()) {
                if (verbose) info("%s: waiting for a delivery in progress", id);
                lock.exclusive();
            }
            if (!lock.stillAt(file)) return false;
            return act(op, q, file, id, perMessage);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private boolean act(Operation op, QueueName q, Path file, String id, boolean perMessage) throws IOException {
        switch (op) {
            case DELETE -> {
                if (perMessage) {
                    // logs first and only while the message exists: less harm should the ID be reused meanwhile
                    for (QueueName l : LOG_QUEUES) remove(queue.path(l, id));
                }
                if (!remove(file)) return false;
                deleted++;
                if (perMessage) info("%s: removed", id);
            }
            case HOLD -> {
                if (!rename(file, queue.path(QueueName.HOLD, id))) return false;
                held++;
                if (perMessage) info("%s: placed on hold", id);
            }
            case RELEASE -> {
                if (!rename(file, queue.path(QueueName.DEFERRED, id))) return false;
                released++;
                if (perMessage) info("%s: released from hold", id);
            }
            case REQUEUE -> {
                Path target = queue.path(QueueName.MAILDROP, id);
                if (!rename(file, target)) return false;
                requeued++;
                if (perMessage) {
                    // pickup keeps the arrival time from the file; the new time only orders the maildrop scan
                    FileTime now = FileTime.from(clock.instant());
                    try {
                        Files.getFileAttributeView(target, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(now, now, null);
                    } catch (IOException e) {
                        log.warning("%s: reset time stamps: %s", target, reason(e));
                    }
                    info("%s: requeued", id);
                }
            }
            case EXPIRE, EXPIRE_RELEASE -> {
                Set<PosixFilePermission> perms;
                try {
                    perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    return false;
                }
                // the force-expire flag is the group-execute bit (Postfix's MAIL_QUEUE_STAT_EXPIRE, 010)
                if (!perms.contains(PosixFilePermission.GROUP_EXECUTE)) {
                    perms.add(PosixFilePermission.GROUP_EXECUTE);
                    try {
                        Files.setPosixFilePermissions(file, perms);
                    } catch (NoSuchFileException e) {
                        return false;
                    }
                    expired++;
                    if (perMessage) info("%s: expired", id);
                }
                if (op == Operation.EXPIRE_RELEASE && q == QueueName.HOLD) {
                    if (!rename(file, queue.path(QueueName.DEFERRED, id))) return true; // expired; gone from hold meanwhile
                    released++;
                    if (perMessage) info("%s: released from hold", id);
                }
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- whole queues

    /**
     * An operation on every message in the queues ("-d ALL", "-h ALL deferred"): no line
     * per message, only the count. -d ALL removes every file, logs and leftovers included,
     * and counts the finished messages; the others act on finished messages only.
     */
    void all(Operation op, List<QueueName> queues) throws IOException {
        for (QueueName q : queues) {
            if (op != Operation.DELETE && (!MESSAGE_QUEUES.contains(q) || !applies(op, q))) continue;
            for (Path file : files(q)) {
                String name = file.getFileName().toString();
                if (op == Operation.DELETE) {
                    boolean message = MESSAGE_QUEUES.contains(q) && ready(file);
                    if (q == QueueName.ACTIVE && message && QueueId.isValid(name)) {
                        onFile(op, q, file, name, false);
                    } else if (remove(file) && message) {
                        deleted++;
                    }
                    continue;
                }
                if (!QueueId.isValid(name) || !ready(file)) continue;
                onFile(op, q, file, name, false);
            }
        }
    }

    // ---------------------------------------------------------------- -s, -S, -p

    /**
     * The structure check (-s, -S) and purge (-p) over the queues: misplaced files move to
     * their hash subdirectory, surplus subdirectories and non-files go, message files
     * whose name does not match their inode are renamed (with their logs) in two passes
     * through an ID#FIX name, and unfinished files older than a day are purged.
     */
    void structure(List<QueueName> queues, boolean check, boolean redundant, boolean purge) throws IOException {
        pass(queues, check, redundant, purge);
        // files renamed to ID#FIX in the first pass get their final names and places now
        if (inodeMismatch > 0) pass(queues, check, redundant, purge);
    }

    private void pass(List<QueueName> queues, boolean check, boolean redundant, boolean purge) throws IOException {
        for (QueueName q : queues) {
            if (verbose) info("queue: %s", q.dirName());
            Path dir = queue.dir(q);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) continue;
            walk(q, dir, 0, check, redundant, purge);
        }
    }

    private void walk(QueueName q, Path dir, int depth, boolean check, boolean redundant, boolean purge) throws IOException {
        int wantedDepth = queue.isHashed(q) ? hashDepth(q) : 0;
        for (Path path : entries(dir)) {
            String name = path.getFileName().toString();
            PosixFileAttributes st;
            try {
                st = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                continue;
            }
            if (st.isDirectory()) {
                if (name.length() == 1 && q != QueueName.MAILDROP && depth < MAX_DEPTH) {
                    walk(q, path, depth + 1, check, redundant, purge);
                    // a level deeper than hash_queue_depth asks for is no longer needed
                    if (depth + 1 > wantedDepth) removeDirectory(path, false);
                } else {
                    removeDirectory(path, true); // nobody's directory
                }
                continue;
            }
            boolean messageQueue = MESSAGE_QUEUES.contains(q);
            if (!st.isRegularFile() || (purge && messageQueue && !ready(st) && stale(path))) {
                remove(path);
                continue;
            }
            if (check && name.endsWith(FIX_SUFFIX)) {
                String base = name.substring(0, name.length() - FIX_SUFFIX.length());
                if (!QueueId.isValid(base)) {
                    log.warning("bogus file name: %s", relative(path));
                    continue;
                }
                if (messageQueue) {
                    Optional<QueueId> parsed = QueueId.parse(base);
                    if (parsed.isEmpty()) {
                        log.warning("bogus file name: %s", relative(path));
                        continue;
                    }
                    if (parsed.get().inode() != inode(path)) {
                        log.warning("name/inode mismatch: %s", relative(path));
                        continue;
                    }
                }
                Path wanted = queue.path(q, base);
                if (!rename(path, wanted)) continue;
                if (messageQueue) inodeFixed++;
                path = wanted;
                name = base;
            }
            if (!QueueId.isValid(name)) {
                log.warning("bogus file name: %s", relative(path));
                continue;
            }
            if (check && messageQueue) {
                Optional<QueueId> parsed = QueueId.parse(name);
                if (parsed.isEmpty()) {
                    log.warning("bogus file name: %s", relative(path));
                    continue;
                }
                QueueId id = parsed.get();
                boolean wrongForm = id.longForm() && !queue.longQueueIds();
                boolean wrongInode = id.inode() != inode(path) && (!id.longForm() || redundant);
                if (wrongForm || wrongInode) {
                    inodeMismatch++;
                    fixQueueId(path, q, id, inode(path));
                    continue;
                }
            }
            if (check) {
                Path wanted = queue.path(q, name);
                if (!path.equals(wanted)) {
                    positionMismatch++;
                    rename(path, wanted);
                }
            }
        }
    }

    /**
     * Renames a message whose ID does not match its inode (a queue restored from elsewhere,
     * or long IDs turned off): the new ID keeps the time part and takes the inode, and the
     * logs move first, so an interrupted run can be repeated. Everything gets the #FIX
     * suffix; the second pass removes it.
     */
    private void fixQueueId(Path file, QueueName q, QueueId id, long inode) throws IOException {
        String newId = newId(id, inode, queue.longQueueIds());
        for (QueueName l : LOG_QUEUES) {
            Path from = queue.path(l, id.text());
            if (Files.exists(from, LinkOption.NOFOLLOW_LINKS)) rename(from, fixName(queue.path(l, newId)));
        }
        rename(file, fixName(queue.path(q, newId)));
    }

    /** The ID a file should have: its time part kept (as short hex when long IDs are off), the inode replaced. */
    static String newId(QueueId id, long inode, boolean longIds) {
        if (!id.longForm()) return id.text().substring(0, 5) + String.format(Locale.ROOT, "%X", inode);
        if (longIds) {
            String time = id.text().substring(0, id.text().lastIndexOf('z'));
            String withInode = QueueId.longForm(0, 0, inode);
            return time + withInode.substring(withInode.lastIndexOf('z'));
        }
        return QueueId.shortForm(id.microseconds(), inode);
    }

    private static Path fixName(Path path) {
        return path.resolveSibling(path.getFileName() + FIX_SUFFIX);
    }

    private int hashDepth(QueueName q) {
        // the depth is how many directory levels path() puts between the queue and the file
        Path p = queue.path(q, "00000A");
        return queue.dir(q).relativize(p).getNameCount() - 1;
    }

    /** Whether an unfinished file is old enough to be a crash's leftover: changed more than a day ago. */
    private boolean stale(Path path) {
        try {
            FileTime changed = (FileTime) Files.getAttribute(path, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
            return clock.instant().isAfter(changed.toInstant().plus(MAX_TEMP_AGE));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- file system

    /** A finished message file, as Postfix's mail_open_ok: a regular file, owner rwx, one link. */
    static boolean ready(Path file) {
        try {
            PosixFileAttributes st = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!st.isRegularFile() || !ready(st)) return false;
            return ((Number) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue() == 1;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean ready(PosixFileAttributes st) {
        Set<PosixFilePermission> p = st.permissions();
        return p.contains(PosixFilePermission.OWNER_READ) && p.contains(PosixFilePermission.OWNER_WRITE)
                && p.contains(PosixFilePermission.OWNER_EXECUTE);
    }

    private static long inode(Path path) throws IOException {
        return ((Number) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    /** Every file under a queue directory, through its one-character subdirectories (never in maildrop/). */
    List<Path> files(QueueName q) throws IOException {
        List<Path> out = new ArrayList<>();
        Path dir = queue.dir(q);
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) collect(q, dir, 0, out);
        return out;
    }

    private void collect(QueueName q, Path dir, int depth, List<Path> out) throws IOException {
        for (Path p : entries(dir)) {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                if (p.getFileName().toString().length() == 1 && q != QueueName.MAILDROP && depth < MAX_DEPTH) {
                    collect(q, p, depth + 1, out);
                }
            } else {
                out.add(p);
            }
        }
    }

    private static List<Path> entries(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) out.add(p);
        } catch (NoSuchFileException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    /** Removes a file; false when it was not there (lost a race). */
    private boolean remove(Path path) throws IOException {
        try {
            Files.delete(path);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new CommandFailure("remove file " + relative(path) + ": " + reason(e));
        }
        if (verbose) info("removed file %s", relative(path));
        return true;
    }

    /**
     * Renames a file, making missing hash subdirectories of the target; false when the
     * source was gone (lost a race with qmgr). Any other failure is fatal, as in Postfix.
     */
    private boolean rename(Path from, Path to) throws IOException {
        try {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) return false;
                makeDirectories(to.getParent());
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new CommandFailure("rename file " + relative(from) + " as " + relative(to) + ": " + reason(e));
        }
        if (verbose) info("renamed file %s as %s", relative(from), relative(to));
        return true;
    }

    /**
     * Makes missing hash subdirectories, mode 0700. Run by root, each takes the owner and
     * group of its parent, so that daemons running as mail_owner can use it (Postfix's
     * postsuper switches to mail_owner for the same reason).
     */
    private void makeDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        makeDirectories(dir.getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return;
        }
        if (root) {
            PosixFileAttributes parent = Files.readAttributes(dir.getParent(), PosixFileAttributes.class);
            PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            view.setOwner(parent.owner());
            view.setGroup(parent.group());
        }
    }

    private void removeDirectory(Path dir, boolean alien) throws IOException {
        try {
            Files.delete(dir);
            if (verbose) info("remove %sdirectory %s", alien ? "sub" : "", relative(dir));
        } catch (NoSuchFileException e) {
            // gone already
        } catch (DirectoryNotEmptyException e) {
            if (alien) log.warning("remove subdirectory %s: Directory not empty", relative(dir));
        } catch (IOException e) {
            log.warning("remove %sdirectory %s: %s", alien ? "sub" : "", relative(dir), reason(e));
        }
    }

    /** A path as Postfix prints it: relative to the queue directory (postsuper works from there). */
    private String relative(Path path) {
        return path.startsWith(queue.root()) ? queue.root().relativize(path).toString() : path.toString();
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "Permission denied";
        if (e instanceof NoSuchFileException) return "No such file or directory";
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** For tests: the counters by name. */
    Map<String, Integer> counts() {
        return Map.of("requeued", requeued, "deleted", deleted, "expired", expired, "held", held,
                "released", released, "inodeFixed", inodeFixed, "inodeMismatch", inodeMismatch);
    }
}
