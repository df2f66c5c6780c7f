package org.posthorn.local;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivery into a Maildir as Postfix does it: the directory and its tmp, new and cur
 * subdirectories are made when missing (mode 0700, given to the owner), the message is
 * written to {@code tmp/SECONDS.PpidQcount.HOST}, forced to disk, then linked as
 * {@code new/SECONDS.VdevIinodeMmicros.HOST} and the tmp name removed. The size limit
 * applies to the one message file.
 */
public final class Maildir {
    private static final AtomicLong COUNTER = new AtomicLong();

    /** The system's host name (uname), as Postfix's get_hostname() gives it. */
    private static final String NODE_NAME = nodeName();

    private Maildir() {
    }

    private static String nodeName() {
        try {
            String n = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!n.isEmpty()) return n;
        } catch (IOException | RuntimeException e) {
            // not Linux: fall back to the JVM's idea
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Delivers; returns the file in new/. Failures carry only the detail text. */
    public static Path deliver(Path maildir, UserAccount owner, long limit, MailCopy copy, Path queueFile,
                               String sender) throws DeliveryFailure {
        String host = hostPart(NODE_NAME);
        Path tmpDir = maildir.resolve("tmp");
        Path newDir = maildir.resolve("new");
        Instant now = Instant.now();
        Path tmp = tmpDir.resolve(now.getEpochSecond() + ".P" + ProcessHandle.current().pid() + "Q"
                + COUNTER.incrementAndGet() + "." + host);
        FileChannel file;
        try {
            file = createTmp(tmp);
        } catch (NoSuchFileException missing) {
            // as Postfix: the directories are made when the first open finds them missing
            try {
                for (Path d : new Path[] {maildir, tmpDir, newDir, maildir.resolve("cur")}) makeDirectory(d, owner);
                file = createTmp(tmp);
            } catch (IOException e) {
                throw new DeliveryFailure("4.2.0", "create maildir file " + tmp + ": " + MailboxFile.reason(e), e);
            }
        } catch (IOException e) {
            throw new DeliveryFailure("4.2.0", "create maildir file " + tmp + ": " + MailboxFile.reason(e), e);
        }
        try (FileChannel ch = file) {
            if (owner != null) Ownership.giveTo(tmp, owner.uid(), owner.gid());
            try {
                OutputStream out = new BufferedOutputStream(new MailboxFile.LimitedStream(ch, limit <= 0 ? Long.MAX_VALUE : limit), 16384);
                copy.copy(queueFile, sender, out);
                out.flush();
                ch.force(true);
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                String dsn = e instanceof MailboxFile.FileTooLarge ? "5.2.2" : "4.3.0";
                throw new DeliveryFailure(dsn, "create maildir file " + tmp + ": " + MailboxFile.reason(e), e);
            }
        } catch (IOException e) {
            throw new DeliveryFailure("4.2.0", "create maildir file " + tmp + ": " + MailboxFile.reason(e), e);
        }
        try {
            java.util.Map<String, Object> id = Files.readAttributes(tmp, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
            long dev = ((Number) id.get("dev")).longValue();
            long ino = ((Number) id.get("ino")).longValue();
            long micros = now.getNano() / 1000;
            Path target = newDir.resolve(now.getEpochSecond() + ".V" + Long.toHexString(dev) + "I" + Long.toHexString(ino)
                    + "M" + micros + "." + host);
            try {
                try {
                    Files.createLink(target, tmp);
                } catch (NoSuchFileException e) {
                    makeDirectory(newDir, owner);
                    makeDirectory(maildir.resolve("cur"), owner);
                    Files.createLink(target, tmp);
                }
            } catch (FileAlreadyExistsException e) {
                throw new DeliveryFailure("4.2.0", "link maildir file " + tmp + " to " + target + ": File exists");
            }
            Files.delete(tmp);
            return target;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error matters
            }
            throw new DeliveryFailure("4.2.0", "link maildir file " + tmp + ": " + MailboxFile.reason(e), e);
        }
    }

    private static FileChannel createTmp(Path tmp) throws IOException {
        return FileChannel.open(tmp, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /** The host name as it appears in a maildir file name: '/' and ':' written as octal escapes. */
    static String hostPart(String host) {
        return host.replace("/", "\\057").replace(":", "\\072");
    }

    private static void makeDirectory(Path dir, UserAccount owner) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (owner != null) Ownership.giveTo(dir, owner.uid(), owner.gid());
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw e;
        }
    }
}
