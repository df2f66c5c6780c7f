package org.posthorn.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs a delivery command (local(8) "|command", mailbox_command, pipe(8) argv=) with the
 * message on its standard input, a clean environment, a time limit, and, when we are root
 * and the command belongs to another user, that user's uid and gid (through setpriv(1)).
 * The outcome follows Postfix's pipe_command(): exit 0 is delivered, sysexits.h codes map
 * to their status, other codes bounce with "Command died with status N", a command that
 * runs out of time is killed and bounced; what it printed is added to the reason.
 */
public final class CommandRunner {
    /** How much command output goes into the reason text. */
    private static final int OUTPUT_LIMIT = 2048;

    /** Writes the message to the command's input. */
    @FunctionalInterface
    public interface Input {
        void writeTo(OutputStream out) throws IOException;
    }

    private CommandRunner() {
    }

    /**
     * @param tag         the agent's name (local, pipe) as an exec failure names it
     * @param argv        the program and its arguments
     * @param display     the command as shown in reasons ("Command died with status 1: \"display\"")
     * @param env         the complete environment
     * @param user        run as this account (only when privileged and it is not us), or null
     * @param directory   the working directory, or null to inherit
     * @param timeLimit   command_time_limit
     */
    public static void run(String tag, List<String> argv, String display, Map<String, String> env, UserAccount user,
                           Path directory, Duration timeLimit, Input input) throws DeliveryFailure {
        List<String> command = new ArrayList<>();
        boolean viaSetpriv = user != null && Ownership.privileged() && user.uid() != Ownership.selfUid();
        if (viaSetpriv) {
            command.addAll(List.of("setpriv", "--reuid=" + user.uid(), "--regid=" + user.gid(), "--clear-groups", "--"));
        }
        command.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        if (directory != null) pb.directory(directory.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            String reason = e.getMessage() != null && e.getMessage().contains("No such file") ? "No such file or directory"
                    : e.getMessage() != null && e.getMessage().contains("Permission denied") ? "Permission denied" : String.valueOf(e.getMessage());
            throw new DeliveryFailure("4.3.0", SysExits.EX_TEMPFAIL.text() + ". Command output: " + tag + ": fatal: execvp "
                    + command.get(0) + ": " + reason + " ", e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        ReentrantLock outputLock = new ReentrantLock();
        Thread reader = Thread.ofVirtual().start(() -> drain(p.getInputStream(), output, outputLock));
        Thread writer = Thread.ofVirtual().start(() -> {
            try (OutputStream in = p.getOutputStream()) {
                input.writeTo(in);
            } catch (IOException e) {
                // the command stopped reading (EPIPE): its exit status decides, as in Postfix
            }
        });
        boolean finished;
        try {
            finished = p.waitFor(timeLimit.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
            }
            writer.join(1000);
            reader.join(1000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DeliveryFailure("4.3.0", "command interrupted: \"" + display + "\"");
        }
        String out;
        outputLock.lock();
        try {
            out = printable(output.toString(StandardCharsets.UTF_8));
        } finally {
            outputLock.unlock();
        }
        String suffix = out.isEmpty() ? "" : ". Command output: " + out;

        if (!finished) throw new DeliveryFailure("5.3.0", "Command time limit exceeded: \"" + display + "\"" + suffix);
        int status = p.exitValue();
        if (status == 0) return;
        if (viaSetpriv && status == 127 && out.startsWith("setpriv: failed to execute")) {
            throw new DeliveryFailure("4.3.0", SysExits.EX_TEMPFAIL.text() + ". Command output: " + tag + ": fatal: execvp "
                    + argv.get(0) + ": No such file or directory ");
        }
        SysExits known = SysExits.of(status);
        if (known != null) throw new DeliveryFailure(known.dsn(), known.text() + suffix);
        throw new DeliveryFailure("5.3.0", "Command died with status " + status + ": \"" + display + "\"" + suffix);
    }

    /** Reads the command's output, keeping its first OUTPUT_LIMIT bytes and discarding the rest. */
    private static void drain(InputStream in, ByteArrayOutputStream sink, ReentrantLock lock) {
        byte[] buf = new byte[4096];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                lock.lock();
                try {
                    int room = OUTPUT_LIMIT - sink.size();
                    if (room > 0) sink.write(buf, 0, Math.min(room, n));
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** Output as one line of printable text, as it goes into a log line and a DSN (line ends become spaces). */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c == '\n' || c == '\r' || c == '\t' ? ' ' : Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }

    /** The PATH Postfix gives commands. */
    public static final String DEFAULT_PATH = "/usr/bin:/bin";

    /** Whether a command word needs /bin/sh: any shell metacharacter in it. */
    public static boolean needsShell(String command) {
        for (char c : command.toCharArray()) if ("\"';&()|<>^$`?*[]{}~#\\\n\r".indexOf(c) >= 0) return true;
        return false;
    }

    /** The argv for a local(8) command: through the shell when needed, else split on white space. */
    public static List<String> shellArgv(String command, String localCommandShell) {
        if (!localCommandShell.isBlank()) {
            List<String> argv = new ArrayList<>(List.of(localCommandShell.strip().split("\\s+")));
            argv.add("-c");
            argv.add(command);
            return argv;
        }
        if (needsShell(command)) return List.of("/bin/sh", "-c", command);
        return List.of(command.strip().split("\\s+"));
    }
}
