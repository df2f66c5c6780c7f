package org.posthorn.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.posthorn.config.Config;
import org.posthorn.log.Log;

/**
 * The queue directory ($queue_directory): its fixed subdirectories with their modes, the
 * path of a queue ID in a queue (hashed per hash_queue_names and hash_queue_depth), the
 * creation of new queue files with unique IDs, renames between queues, and the move of a
 * damaged file to corrupt/.
 *
 * <p>Modes. A root-started instance ({@link Ownership#SYSTEM}) uses Postfix's layout
 * exactly: every directory owned by mail_owner with mode 0700, except maildrop/
 * (mail_owner:setgid_group 0730, so the setgid postdrop can drop files it cannot list),
 * public/ (mail_owner:setgid_group 0710, so setgid tools reach the sockets) and pid/
 * (root 0755). The default instance ({@link Ownership#SINGLE_USER}) runs every daemon
 * and command as the one invoking user, so no group needs access: maildrop/ and public/
 * are 0700 like the rest (group bits would only open them to the user's primary group,
 * which is no trust boundary) and pid/ stays 0755. The queue directory itself is 0755.
 */
public final class QueueDirectory {
    /** Who owns the queue: one unprivileged user, or Postfix's mail_owner/setgid_group split. */
    public enum Ownership { SINGLE_USER, SYSTEM }

    /** The result of {@link #check()}: what was repaired and what is wrong but left alone. */
    public record CheckReport(List<String> fixed, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** A queue file just created by {@link #create}: open for writing, mode 0600. */
    public record NewFile(String queueId, Path path, FileChannel channel, Instant time) {
    }

    private static final Set<PosixFilePermission> FILE_WRITING = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> HASH_DIR = PosixFilePermissions.fromString("rwx------");
    private static final int MAX_RENAME_TRIES = 1000;
    private static final long PID = ProcessHandle.current().pid();

    private final Path root;
    private final Set<QueueName> hashed;
    private final int hashDepth;
    private final boolean longIds;
    private final Ownership ownership;
    private final String mailOwner;
    private final String setgidGroup;
    private final Clock clock;

    /**
     * A queue directory with explicit settings.
     *
     * @param hashedQueues the queue names listed in hash_queue_names (unknown names are ignored, as in Postfix)
     * @param hashDepth hash_queue_depth, at least 1
     */
    public QueueDirectory(Path root, Collection<String> hashedQueues, int hashDepth, boolean longIds,
                          Ownership ownership, String mailOwner, String setgidGroup, Clock clock) {
        if (hashDepth < 1) throw new IllegalArgumentException("hash_queue_depth must be at least 1: " + hashDepth);
        this.root = root.toAbsolutePath().normalize();
        Set<QueueName> h = EnumSet.noneOf(QueueName.class);
        for (String name : hashedQueues) QueueName.byName(name).filter(QueueName::holdsQueueFiles).ifPresent(h::add);
        this.hashed = h;
        this.hashDepth = hashDepth;
        this.longIds = longIds;
        this.ownership = ownership;
        this.mailOwner = mailOwner;
        this.setgidGroup = setgidGroup;
        this.clock = clock;
    }

    /** A single-user queue directory with Postfix's default hashing, for tests and tools. */
    public static QueueDirectory of(Path root) {
        return new QueueDirectory(root, List.of("deferred", "defer"), 1, false, Ownership.SINGLE_USER,
                "postfix", "postdrop", Clock.systemUTC());
    }

    /**
     * The queue directory a configuration names: queue_directory, hash_queue_names,
     * hash_queue_depth, enable_long_queue_ids, mail_owner, setgid_group. Running as root
     * selects {@link Ownership#SYSTEM}, anything else {@link Ownership#SINGLE_USER}.
     */
    public static QueueDirectory of(Config config) {
        return new QueueDirectory(Path.of(config.get("queue_directory")), config.getList("hash_queue_names"),
                config.getInt("hash_queue_depth"), config.getBool("enable_long_queue_ids"),
                runningAsRoot() ? Ownership.SYSTEM : Ownership.SINGLE_USER,
                config.get("mail_owner"), config.get("setgid_group"), Clock.systemUTC());
    }

    public Path root() {
        return root;
    }

    public boolean longQueueIds() {
        return longIds;
    }

    public Ownership ownership() {
        return ownership;
    }

    /** The top directory of a queue, e.g. $queue_directory/deferred. */
    public Path dir(QueueName queue) {
        return root.resolve(queue.dirName());
    }

    public boolean isHashed(QueueName queue) {
        return hashed.contains(queue);
    }

    /**
     * The directory a queue file lives in: the queue's directory, plus one level per
     * hash_queue_depth named after the successive characters of the ID's hash key
     * ({@link QueueId#hashKey}), "_" where the key is too short (Postfix's dir_forest).
     */
    public Path directoryOf(QueueName queue, String queueId) {
        requireValid(queueId);
        Path dir = dir(queue);
        if (!isHashed(queue)) return dir;
        String key = QueueId.hashKey(queueId);
        for (int i = 0; i < hashDepth; i++) {
            dir = dir.resolve(i < key.length() ? key.substring(i, i + 1) : "_");
        }
        return dir;
    }

    /** The path of a queue file: {@link #directoryOf} plus the ID. */
    public Path path(QueueName queue, String queueId) {
        return directoryOf(queue, queueId).resolve(queueId);
    }

    /** The first of the given queues holding a file with this ID. */
    public Optional<Path> find(String queueId, QueueName... queues) {
        for (QueueName q : queues) {
            Path p = path(q, queueId);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /**
     * Creates a new, empty queue file with a unique ID (Postfix's mail_queue_enter): an
     * embryo "usec.pid" made with O_CREAT|O_EXCL and mode 0600, its inode read, the ID
     * built from a fresh clock reading and that inode, then the embryo renamed to the ID
     * (hash subdirectories made on demand). The ID's uniqueness rests on the inode, which
     * no other live file on the file system has, so it holds across restarts. A file for
     * incoming/ is a {@link SpareFiles spare} when this process has one.
     */
    public NewFile create(QueueName queue) throws IOException {
        if (queue == QueueName.INCOMING) {
            for (SpareFiles.Spare spare; (spare = SpareFiles.of(root).take()) != null; ) {
                NewFile reused = enter(queue, spare.path(), spare.inode(), null);
                if (reused != null) return reused;
            }
        }
        Path dir = dir(queue);
        Path embryo;
        FileChannel channel;
        for (int tries = 0; ; tries++) {
            Instant now = clock.instant();
            embryo = dir.resolve(now.getNano() / 1000 + "." + PID);
            try {
                channel = FileChannel.open(embryo, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(FILE_WRITING));
                break;
            } catch (FileAlreadyExistsException e) {
                if (tries > MAX_RENAME_TRIES) throw e;
            }
        }
        try {
            long inode = ((Number) Files.getAttribute(embryo, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
            NewFile file = enter(queue, embryo, inode, channel);
            if (file == null) throw new NoSuchFileException(embryo.toString());
            return file;
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(embryo);
            throw e;
        }
    }

    /**
     * Gives {@code source} its queue ID, built from a fresh clock reading and its inode, by
     * renaming it into the queue (a taken ID means a new clock reading), and opens it when
     * {@code channel} is null: a spare ({@link SpareFiles}) is opened, and emptied should a
     * crash have left it full, only once it is ours. Null when {@code source} is gone.
     */
    private NewFile enter(QueueName queue, Path source, long inode, FileChannel channel) throws IOException {
        for (int tries = 0; ; tries++) {
            Instant now = clock.instant();
            int usec = now.getNano() / 1000;
            String id = longIds ? QueueId.longForm(now.getEpochSecond(), usec, inode) : QueueId.shortForm(usec, inode);
            Path target = path(queue, id);
            if (tries > MAX_RENAME_TRIES) throw new IOException("rename " + source + " to " + target + ": giving up");
            // collision: take a new clock reading. access(2), not lstat: no exception for the
            // usual answer, and a rename replaces a dangling link as it would any name
            if (Files.exists(target)) continue;
            try {
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) return null;
                makeHashDirs(target.getParent());
                continue;
            }
            if (channel == null) {
                channel = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE);
                try {
                    if (channel.size() > 0) channel.truncate(0);
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    Files.deleteIfExists(target);
                    throw e;
                }
            }
            return new NewFile(id, target, channel, now);
        }
    }

    /**
     * Moves a queue file between queues (Postfix's mail_queue_rename): an atomic rename,
     * making missing hash subdirectories of the target. Throws NoSuchFileException when
     * the file is not in the source queue.
     */
    public Path rename(String queueId, QueueName from, QueueName to) throws IOException {
        Path source = path(from, queueId);
        Path target = path(to, queueId);
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) throw e;
            makeHashDirs(target.getParent());
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }

    /** Removes a queue file; false when it was not there. */
    public boolean remove(QueueName queue, String queueId) throws IOException {
        return Files.deleteIfExists(path(queue, queueId));
    }

    /**
     * Removes the file of a message whose delivery is over, keeping it as a
     * {@link SpareFiles spare} for a new message while the pool has room; false when it
     * was not there.
     */
    public boolean retire(QueueName queue, String queueId) throws IOException {
        Path file = path(queue, queueId);
        try {
            if (SpareFiles.of(root).keep(file)) return true;
        } catch (NoSuchFileException e) {
            return false;
        }
        return Files.deleteIfExists(file);
    }

    /**
     * The files of a queue, hashed subdirectories included (any single-character
     * subdirectory is searched, as Postfix's queue scan does, so files stay visible after
     * hash_queue_names or hash_queue_depth change). Names that are no queue ID, such as
     * embryos ("123456.789") being created, are skipped. Sorted by file name.
     */
    public List<Path> list(QueueName queue) throws IOException {
        List<Path> out = new ArrayList<>();
        Path dir = dir(queue);
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) collect(dir, 0, out);
        out.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return out;
    }

    private void collect(Path dir, int depth, List<Path> out) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                boolean subdir = name.length() == 1 && depth < 16;
                if (!subdir && !QueueId.isValid(name)) continue;
                BasicFileAttributes attrs; // one stat per entry: a large queue is listed often
                try {
                    attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue; // gone meanwhile
                }
                if (attrs.isDirectory()) {
                    if (subdir) collect(p, depth + 1, out);
                } else if (attrs.isRegularFile()) {
                    out.add(p);
                }
            }
        }
    }

    /**
     * Moves a damaged queue file to corrupt/ and logs it the way qmgr does: a warning with
     * the reason, then {@code saving corrupt file "ID" from queue "Q" to queue "corrupt"}.
     * The move never replaces a file already in corrupt/ (an older file whose inode, and so
     * short ID, was reused): the newcomer then gets a "_N" suffix. No other file is touched.
     *
     * @param file the damaged file, anywhere under the queue
     * @param reason what is wrong, e.g. a {@link QueueFileException} message
     * @return where the file now is
     */
    public Path saveCorrupt(Path file, QueueName from, String reason, Log log) throws IOException {
        String id = file.getFileName().toString();
        Path corrupt = dir(QueueName.CORRUPT);
        Files.createDirectories(corrupt);
        if (reason != null && !reason.isEmpty()) log.warning("%s", reason);
        Path target = corrupt.resolve(id);
        for (int n = 1; ; n++) {
            try {
                // link + unlink: unlike rename, link(2) never replaces an existing name
                Files.createLink(target, file);
                break;
            } catch (FileAlreadyExistsException e) {
                target = corrupt.resolve(id + "_" + n);
            }
        }
        Files.delete(file);
        log.warning("saving corrupt file \"%s\" from queue \"%s\" to queue \"%s\"", id, from.dirName(), QueueName.CORRUPT.dirName());
        return target;
    }

    /** Forces a directory's entries (new names, renames) to disk. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    // ---------------------------------------------------------------- layout check

    /** The mode a directory should have under this ownership, e.g. 0730 for maildrop/ under SYSTEM. */
    public int mode(QueueName queue) {
        return switch (queue) {
            case PID -> 0755;
            case MAILDROP -> ownership == Ownership.SYSTEM ? 0730 : 0700;
            case PUBLIC -> ownership == Ownership.SYSTEM ? 0710 : 0700;
            default -> 0700;
        };
    }

    /**
     * Checks the layout for {@code postfix check} and {@code postfix start}: creates the
     * queue directory and every missing subdirectory with its mode (and, under SYSTEM, its
     * owner and group), and reports wrong types, modes and owners of existing ones without
     * changing them ({@link #setPermissions()} repairs those).
     */
    public CheckReport check() throws IOException {
        return inspect(false);
    }

    /** Like {@link #check()}, and also resets the modes and owners of existing directories (postfix set-permissions). */
    public CheckReport setPermissions() throws IOException {
        return inspect(true);
    }

    private CheckReport inspect(boolean repair) throws IOException {
        List<String> fixed = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, permissions(0755));
            fixed.add("created queue directory " + root + " with mode 0755");
        } else if (!Files.isDirectory(root)) {
            problems.add("queue_directory " + root + " is not a directory");
            return new CheckReport(fixed, problems);
        }
        Owners owners = ownership == Ownership.SYSTEM ? lookupOwners(problems) : null;
        for (QueueName q : QueueName.values()) {
            Path dir = dir(q);
            int want = mode(q);
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir);
                Files.setPosixFilePermissions(dir, permissions(want));
                if (owners != null) setOwners(dir, q, owners);
                fixed.add("created " + dir + " with mode " + octal(want));
                continue;
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                problems.add(dir + " is not a directory");
                continue;
            }
            PosixFileAttributes attrs = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int have = bits(attrs.permissions());
            if (have != want) {
                if (repair) {
                    Files.setPosixFilePermissions(dir, permissions(want));
                    fixed.add("changed mode of " + dir + " from " + octal(have) + " to " + octal(want));
                } else {
                    problems.add(dir + " has mode " + octal(have) + ", expected " + octal(want));
                }
            }
            if (owners != null) {
                UserPrincipal wantUser = q == QueueName.PID ? owners.root : owners.user;
                boolean groupMatters = q == QueueName.MAILDROP || q == QueueName.PUBLIC;
                boolean userWrong = wantUser != null && !wantUser.equals(attrs.owner());
                boolean groupWrong = groupMatters && owners.group != null && !owners.group.equals(attrs.group());
                if ((userWrong || groupWrong) && repair) {
                    setOwners(dir, q, owners);
                    fixed.add("changed owner of " + dir);
                } else if (userWrong) {
                    problems.add(dir + " is owned by " + attrs.owner().getName() + ", expected " + wantUser.getName());
                } else if (groupWrong) {
                    problems.add(dir + " has group " + attrs.group().getName() + ", expected " + owners.group.getName());
                }
            }
        }
        return new CheckReport(List.copyOf(fixed), List.copyOf(problems));
    }

    private record Owners(UserPrincipal user, GroupPrincipal group, UserPrincipal root) {
    }

    private Owners lookupOwners(List<String> problems) {
        UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = null;
        GroupPrincipal group = null;
        UserPrincipal rootUser = null;
        try {
            user = lookup.lookupPrincipalByName(mailOwner);
        } catch (IOException e) {
            problems.add("mail_owner " + mailOwner + ": unknown user");
        }
        try {
            group = lookup.lookupPrincipalByGroupName(setgidGroup);
        } catch (IOException e) {
            problems.add("setgid_group " + setgidGroup + ": unknown group");
        }
        try {
            rootUser = lookup.lookupPrincipalByName("root");
        } catch (IOException e) {
            problems.add("user root: unknown");
        }
        return new Owners(user, group, rootUser);
    }

    private static void setOwners(Path dir, QueueName q, Owners owners) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        UserPrincipal user = q == QueueName.PID ? owners.root : owners.user;
        if (user != null) view.setOwner(user);
        if ((q == QueueName.MAILDROP || q == QueueName.PUBLIC) && owners.group != null) view.setGroup(owners.group);
    }

    /** Makes missing hash subdirectories with mode 0700 (Postfix's mail_queue_mkdirs). */
    void makeHashDirs(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        makeHashDirs(dir.getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(HASH_DIR));
        } catch (FileAlreadyExistsException e) {
            return; // made by a concurrent writer
        }
        Files.setPosixFilePermissions(dir, HASH_DIR);
    }

    static boolean runningAsRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static void requireValid(String queueId) {
        if (!QueueId.isValid(queueId)) throw new IllegalArgumentException("bad mail queue ID: " + queueId);
    }

    /** Permission bits from the lowest (other execute) to the highest (owner read). */
    private static final PosixFilePermission[] BITS = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) if ((mode & (1 << i)) != 0) out.add(BITS[i]);
        return out;
    }

    static int bits(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (int i = 0; i < BITS.length; i++) if (perms.contains(BITS[i])) mode |= 1 << i;
        return mode;
    }

    static String octal(int mode) {
        return String.format(Locale.ROOT, "%04o", mode);
    }
}
