package org.posthorn.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.posthorn.config.Config;

/**
 * The queue directory tree with the modes of Postfix's postfix-files, made when missing
 * (what {@code post-install create-missing} does for {@code postfix check}), and the
 * warnings of {@code postfix check}. INTERIM: the queue package's QueueDirectory takes this
 * over at the merge; keep it minimal.
 */
public final class QueueTree {
    /** Queue subdirectories and their modes (postfix-files). */
    static final Map<String, String> DIRECTORIES = Map.ofEntries(
            Map.entry("active", "rwx------"), Map.entry("bounce", "rwx------"), Map.entry("corrupt", "rwx------"),
            Map.entry("defer", "rwx------"), Map.entry("deferred", "rwx------"), Map.entry("flush", "rwx------"),
            Map.entry("hold", "rwx------"), Map.entry("incoming", "rwx------"), Map.entry("private", "rwx------"),
            Map.entry("saved", "rwx------"), Map.entry("trace", "rwx------"), Map.entry("maildrop", "rwx-wx---"),
            Map.entry("public", "rwx--x---"), Map.entry("pid", "rwxr-xr-x"));
    /** Directories whose group bits are meant to be there (the postdrop group writes or enters them). */
    private static final Set<String> GROUP_ACCESS = Set.of("maildrop", "public");

    private QueueTree() {
    }

    /**
     * Creates queue_directory, its subdirectories and data_directory where missing.
     *
     * @param warnings receives "postfix check" warnings (ownership, modes); null to skip them
     */
    public static void create(Path queueDirectory, Config config, List<String> warnings) throws IOException {
        mkdir(queueDirectory, "rwxr-xr-x");
        for (Map.Entry<String, String> e : DIRECTORIES.entrySet()) {
            mkdir(queueDirectory.resolve(e.getKey()), e.getValue());
        }
        String data = config.get("data_directory").strip();
        if (!data.isEmpty()) mkdir(Path.of(data), "rwx------");
        if (warnings == null) return;
        String owner = config.get("mail_owner").strip();
        for (String name : DIRECTORIES.keySet().stream().sorted().toList()) {
            Path dir = queueDirectory.resolve(name);
            if (!name.equals("pid") && !owner.isEmpty() && knownUser(owner)
                    && !Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName().equals(owner)) {
                warnings.add("not owned by " + owner + ": " + dir);
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            boolean groupWrite = mode.contains(PosixFilePermission.GROUP_WRITE) && !GROUP_ACCESS.contains(name);
            if (groupWrite || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                warnings.add("group or other writable: " + dir);
            }
        }
    }

    private static void mkdir(Path dir, String mode) throws IOException {
        if (Files.isDirectory(dir)) return;
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
    }

    private static boolean knownUser(String name) {
        try {
            return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(name + ":"));
        } catch (IOException e) {
            return false;
        }
    }
}
