package org.posthorn.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;

/**
 * Who we run as and who owns what we create. Started as root, the delivery agents give every
 * file and directory they create for a user to that user (never following a symbolic link);
 * unprivileged (the default instance) they deliver as the invoking user and change nothing.
 */
public final class Ownership {
    private static final int SELF_UID = readUid();

    private Ownership() {
    }

    private static int readUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name")) ? 0 : -1;
        }
    }

    /** Our own uid. */
    public static int selfUid() {
        return SELF_UID;
    }

    public static boolean privileged() {
        return SELF_UID == 0;
    }

    /** When privileged, makes uid:gid the owner of a fresh file or directory (not following links). */
    public static void giveTo(Path path, int uid, int gid) throws IOException {
        if (!privileged() || uid < 0) return;
        Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    /** The owner uid of a file, or -1 when unknown. */
    public static int ownerOf(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    /**
     * Started as root, Postfix writes a user's files with the user's rights. We write as root,
     * so before a file or Maildir destination of an alias, include or .forward is touched,
     * this checks that the user could write it (an existing file) or create it (its folder),
     * by the owner, group and other write bits. Unprivileged, the kernel checks for us.
     */
    public static void checkWritable(Path target, UserAccount user) throws DeliveryFailure {
        if (!privileged() || user == null || user.uid() == 0) return;
        Path p = Files.exists(target, LinkOption.NOFOLLOW_LINKS) ? target : target.toAbsolutePath().getParent();
        if (p == null || !allowed(p, user, PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_WRITE)) {
            throw new DeliveryFailure("5.2.0", "cannot open file: Permission denied");
        }
    }

    /** As {@link #checkWritable} for reading an include file with the user's rights. */
    public static void checkReadable(Path file, UserAccount user) throws DeliveryFailure {
        if (!privileged() || user == null || user.uid() == 0) return;
        if (!allowed(file, user, PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ)) {
            throw new DeliveryFailure("5.2.0", "cannot open include file " + file + ": Permission denied");
        }
    }

    private static boolean allowed(Path p, UserAccount user, PosixFilePermission owner, PosixFilePermission group,
                                   PosixFilePermission other) {
        try {
            // one stat for all three
            Map<String, Object> a = Files.readAttributes(p, "unix:permissions,uid,gid", LinkOption.NOFOLLOW_LINKS);
            @SuppressWarnings("unchecked")
            Set<PosixFilePermission> perms = (Set<PosixFilePermission>) a.get("permissions");
            int uid = (Integer) a.get("uid");
            int gid = (Integer) a.get("gid");
            if (uid == user.uid()) return perms.contains(owner);
            if (gid == user.gid()) return perms.contains(group);
            return perms.contains(other);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
