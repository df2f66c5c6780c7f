package org.posthorn.local;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Appends one message to an mbox file (a user's mailbox, an alias's /file/path): opened
 * without following symbolic links, created mode 0600 and given to its owner, locked,
 * written from the end, forced to disk. A size limit (mailbox_size_limit,
 * virtual_mailbox_limit, as Postfix's file size resource limit) stops the write with
 * "File too large"; any failure cuts the file back to its size before the delivery, so a
 * half-written message never stays behind.
 */
public final class MailboxFile {
    private MailboxFile() {
    }

    /** The exception for a write that would pass the size limit (EFBIG). */
    static final class FileTooLarge extends IOException {
        FileTooLarge() {
            super("File too large");
        }
    }

    /**
     * Appends the message. Failures carry only the detail ("error writing message: File too
     * large"); the caller puts the mailbox or file name in front.
     *
     * @param limit the largest file size in bytes, 0 for none
     */
    public static void append(Path file, UserAccount owner, MailboxLock lock, long limit, MailCopy copy,
                              Path queueFile, String sender) throws DeliveryFailure {
        try (MailboxLock.Held held = lock.lockPath(file, owner)) {
            FileChannel channel;
            try {
                channel = open(file, owner);
            } catch (IOException e) {
                boolean permanent = e instanceof java.nio.file.NoSuchFileException || e instanceof java.nio.file.AccessDeniedException;
                throw new DeliveryFailure(permanent ? "5.2.0" : "4.2.0", "cannot open file: " + reason(e), e);
            }
            try (channel) {
                lock.lockChannel(held, channel);
                write(channel, limit, copy, queueFile, sender);
            } catch (IOException e) {
                throw new DeliveryFailure("4.2.0", "cannot access mailbox " + file + ": " + reason(e), e);
            }
        }
    }

    /** Writes from the end; on any failure cuts the file back to where it ended. */
    private static void write(FileChannel channel, long limit, MailCopy copy, Path queueFile, String sender)
            throws IOException, DeliveryFailure {
        long start = channel.size();
        channel.position(start);
        try {
            OutputStream out = new BufferedOutputStream(new LimitedStream(channel, limit <= 0 ? Long.MAX_VALUE : limit - start), 65536);
            copy.copy(queueFile, sender, out);
            out.flush();
            channel.force(true);
        } catch (IOException e) {
            try {
                channel.truncate(start);
                channel.force(true);
            } catch (IOException ignored) {
                // the original error is what the sender needs to see
            }
            String dsn = e instanceof FileTooLarge ? "5.2.2" : "4.3.0";
            throw new DeliveryFailure(dsn, "error writing message: " + reason(e), e);
        }
    }

    private static FileChannel open(Path file, UserAccount owner) throws IOException, DeliveryFailure {
        if (Files.isSymbolicLink(file)) {
            throw new DeliveryFailure("5.2.0", "cannot open file: file is a symbolic link");
        }
        boolean created = false;
        FileChannel channel;
        try {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW,
                    LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            created = true;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile()) throw new DeliveryFailure("5.2.0", "cannot open file: file is not a regular file");
            Object links = Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            if (links instanceof Integer n && n > 1) {
                throw new DeliveryFailure("5.2.0", "cannot open file: file has " + n + " hard links");
            }
            if (created && owner != null) Ownership.giveTo(file, owner.uid(), owner.gid());
            if (!created && owner != null && Ownership.privileged() && owner.uid() != 0
                    && Ownership.ownerOf(file) != owner.uid()) {
                // strict_mailbox_ownership: never append to a mailbox that belongs to someone else
                throw new DeliveryFailure("4.2.0", "cannot open file: file is not owned by the recipient (uid " + owner.uid() + ")");
            }
            return channel;
        } catch (DeliveryFailure | IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** strerror-like text of an I/O error. */
    static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        if (e instanceof java.nio.file.NoSuchFileException) return "No such file or directory";
        if (e instanceof java.nio.file.AccessDeniedException) return "Permission denied";
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Writes to the channel, failing with EFBIG before the limit is passed. */
    static final class LimitedStream extends OutputStream {
        private final FileChannel channel;
        private long room;

        LimitedStream(FileChannel channel, long room) {
            this.channel = channel;
            this.room = room;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > room) throw new FileTooLarge();
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) channel.write(buf);
            room -= len;
        }
    }
}
