package org.posthorn.queue;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A queue file that cannot be read as Postfix's record format: truncated, garbled, a
 * record type not allowed where it stands, or no end record. The message names the file
 * and the byte offset of the bad record; callers move such a file to corrupt/.
 */
public final class QueueFileException extends IOException {
    private final transient Path file;
    private final long offset;
    private final String problem;

    public QueueFileException(Path file, long offset, String problem) {
        super((file == null ? "(stream)" : file.toString()) + ": " + problem + " at offset " + offset);
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    /** The file, or null when reading a stream. */
    public Path file() {
        return file;
    }

    /** Where the bad record starts. */
    public long offset() {
        return offset;
    }

    /** The problem without file and offset ("unexpected end of file in record data"). */
    public String problem() {
        return problem;
    }
}
