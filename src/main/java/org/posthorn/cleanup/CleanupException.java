package org.posthorn.cleanup;

/** A submission could not be opened or written (disk, permissions): the producer answers with a 4xx. */
public class CleanupException extends Exception {
    public CleanupException(String message) {
        super(message);
    }

    public CleanupException(String message, Throwable cause) {
        super(message, cause);
    }
}
