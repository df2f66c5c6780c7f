package org.posthorn.cli;

/**
 * Ends a command with a message on stderr ("postmap: fatal: text") and an exit status.
 * Postfix's msg_fatal() exits with 1; sysexits.h statuses are used where Postfix uses them.
 */
public final class CommandFailure extends RuntimeException {
    public static final int EX_USAGE = 64;
    public static final int EX_DATAERR = 65;
    public static final int EX_NOINPUT = 66;
    public static final int EX_NOUSER = 67;
    public static final int EX_SOFTWARE = 70;
    public static final int EX_UNAVAILABLE = 69;
    public static final int EX_TEMPFAIL = 75;
    public static final int EX_NOPERM = 77;
    public static final int EX_CONFIG = 78;

    private final int status;

    public CommandFailure(String message) {
        this(1, message);
    }

    public CommandFailure(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
