package org.posthorn.local;

/**
 * The exit codes of sysexits.h as Postfix maps them for local(8) and pipe(8) commands:
 * each known code has an RFC 3463 status (its class says defer or bounce) and a short text.
 * EX_TEMPFAIL (75) and EX_OSERR (71) defer; other known codes bounce.
 */
public enum SysExits {
    EX_USAGE(64, "5.3.0", "command line usage error"),
    EX_DATAERR(65, "5.6.0", "data format error"),
    EX_NOINPUT(66, "5.3.0", "cannot open input"),
    EX_NOUSER(67, "5.1.1", "user unknown"),
    EX_NOHOST(68, "5.1.2", "host name unknown"),
    EX_UNAVAILABLE(69, "5.3.0", "service unavailable"),
    EX_SOFTWARE(70, "5.3.0", "internal software error"),
    EX_OSERR(71, "4.3.0", "system resource problem"),
    EX_OSFILE(72, "5.3.0", "critical OS file missing"),
    EX_CANTCREAT(73, "5.2.0", "can't create user output file"),
    EX_IOERR(74, "5.3.0", "input/output error"),
    EX_TEMPFAIL(75, "4.3.0", "temporary failure"),
    EX_PROTOCOL(76, "5.5.0", "remote error in protocol"),
    EX_NOPERM(77, "5.7.0", "permission denied"),
    EX_CONFIG(78, "5.3.5", "local configuration error");

    private final int code;
    private final String dsn;
    private final String text;

    SysExits(int code, String dsn, String text) {
        this.code = code;
        this.dsn = dsn;
        this.text = text;
    }

    public int code() {
        return code;
    }

    public String dsn() {
        return dsn;
    }

    public String text() {
        return text;
    }

    /** The entry for an exit status, or null when it is not a sysexits.h code. */
    public static SysExits of(int status) {
        for (SysExits e : values()) if (e.code == status) return e;
        return null;
    }
}
