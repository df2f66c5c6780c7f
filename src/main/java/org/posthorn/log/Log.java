package org.posthorn.log;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Postfix-style logging: one Log per program ("smtpd", "qmgr", "postmap"), tagged
 * {@code syslog_name/program[pid]}. Lines go to every configured {@link LogSink} (see
 * {@link LogSetup}); commands also print {@code program: warning: text} on stderr as
 * Postfix's commands do.
 */
public final class Log {
    private static final List<LogSink> SINKS = new CopyOnWriteArrayList<>();
    private static volatile String defaultSyslogName = "postfix";
    private static volatile boolean toStderr = true;
    private static volatile boolean stderrWithTag;

    private final String syslogName;
    private final String program;
    private final boolean echo;

    private Log(String syslogName, String program, boolean echo) {
        this.syslogName = syslogName;
        this.program = program;
        this.echo = echo;
    }

    /** A log for a program under the process-wide syslog_name. */
    public static Log of(String program) {
        return new Log(null, program, false);
    }

    /** A log for a program under a service's own syslog_name (master.cf -o syslog_name=...). */
    public static Log of(String syslogName, String program) {
        return new Log(syslogName, program, false);
    }

    /**
     * A log whose every record, info included, is also printed on stderr with the full tag
     * ({@code postfix/postfix-script: starting the Postfix mail system}), as postlog(1) does
     * for the postfix command's messages.
     */
    public static Log echoing(String program) {
        return new Log(null, program, true);
    }

    /** Sets the process-wide syslog_name (main.cf's syslog_name). */
    public static void setSyslogName(String name) {
        defaultSyslogName = name;
    }

    /** Whether lines are echoed to stderr in the command style; daemons turn this off. */
    public static void setStderr(boolean on) {
        toStderr = on;
    }

    /** Whether the stderr echo names the full tag ("postfix/master: fatal: ...") instead of the program. */
    public static void setStderrWithTag(boolean on) {
        stderrWithTag = on;
    }

    public static void addSink(LogSink sink) {
        SINKS.add(sink);
    }

    /** Closes every sink, writing out what they buffer. */
    public static void clearSinks() {
        for (LogSink s : SINKS) s.close();
        SINKS.clear();
    }

    public static boolean hasSinks() {
        return !SINKS.isEmpty();
    }

    /** This process's id, as it appears in "[pid]". */
    public static long pid() {
        return Pid.VALUE;
    }

    /** The tag before "[pid]": syslog_name/program. */
    public String tag() {
        String name = syslogName != null ? syslogName : defaultSyslogName;
        return name + "/" + program;
    }

    public void info(String format, Object... args) {
        emit(Severity.INFO, "", format, args);
    }

    public void warning(String format, Object... args) {
        emit(Severity.WARNING, "warning: ", format, args);
    }

    public void error(String format, Object... args) {
        emit(Severity.ERROR, "error: ", format, args);
    }

    /** Logs "fatal: text"; the caller decides how to stop. */
    public void fatal(String format, Object... args) {
        emit(Severity.FATAL, "fatal: ", format, args);
    }

    public void panic(String format, Object... args) {
        emit(Severity.PANIC, "panic: ", format, args);
    }

    private void emit(Severity severity, String prefix, String format, Object... args) {
        String text = prefix + format(format, args);
        PrintStream err = System.err;
        if (echo) {
            err.println(tag() + ": " + text);
        } else if (toStderr && (severity != Severity.INFO || SINKS.isEmpty())) {
            err.println((stderrWithTag ? tag() : program) + ": " + text);
        }
        for (LogSink sink : SINKS) {
            sink.write(severity, tag(), Pid.VALUE, text);
        }
    }

    /**
     * String.format with a fast path for the formats nearly every log line uses (only %s,
     * %d and %%): parsing the format each time was most of a line's cost.
     */
    static String format(String format, Object... args) {
        if (args.length == 0) return format;
        StringBuilder sb = new StringBuilder(format.length() + 16 * args.length);
        int arg = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            char conv = i + 1 < format.length() ? format.charAt(i + 1) : 0;
            if (conv == '%') {
                sb.append('%');
            } else if (arg < args.length && (conv == 's' && !(args[arg] instanceof java.util.Formattable)
                    || conv == 'd' && (args[arg] instanceof Integer || args[arg] instanceof Long))) {
                sb.append(args[arg++]);
            } else {
                return String.format(Locale.ROOT, format, args);
            }
            i++;
        }
        return sb.toString();
    }

    /** Looked up on first use: ProcessHandle's set-up costs a command that logs nothing a few milliseconds. */
    private static final class Pid {
        static final long VALUE = ProcessHandle.current().pid();
    }

    /** Severities Postfix uses, with the syslog level msg_syslog.c maps each to. */
    public enum Severity {
        INFO(6), WARNING(4), ERROR(3), FATAL(2), PANIC(2);

        public final int syslogLevel;

        Severity(int level) {
            this.syslogLevel = level;
        }
    }
}
