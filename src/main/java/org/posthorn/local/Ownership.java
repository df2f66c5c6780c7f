package org.posthorn.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

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
}
