package org.posthorn.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.posthorn.config.Config;
import org.posthorn.config.Instance;
import org.posthorn.flush.FlushClient;
import org.posthorn.flush.FlushDomains;
import org.posthorn.log.Log;
import org.posthorn.master.PublicSocket;
import org.posthorn.queue.QueueId;
import org.posthorn.showq.QueueLister;
import org.posthorn.showq.ShowqMessage;
import org.posthorn.showq.ShowqProtocol;

/**
 * postqueue(1): -p lists the queue as mailq does and -j as JSON lines, both from the
 * showq service on public/showq (root and mail_owner read the queue directly when the mail
 * system is down, as Postfix's postqueue runs showq stand-alone); -f asks qmgr to retry
 * everything now; -i and -s site ask flush(8) on public/flush to deliver one deferred
 * message or the deferred mail of an eligible site.
 *
 * <p>Every fatal error exits with 69 (EX_UNAVAILABLE): Postfix's postqueue installs a
 * cleanup handler that turns any fatal exit, usage errors included, into that status.
 */
public final class Postqueue implements Command {
    static final String USAGE = "usage: postqueue -f | postqueue -i queueid | postqueue -j | postqueue -p | postqueue -s site";
    private final PrintStream stdout;

    public Postqueue() {
        this(System.out);
    }

    Postqueue(PrintStream stdout) {
        this.stdout = stdout;
    }

    private enum Mode { NONE, LIST, JSON, FLUSH, SITE, FILE }

    @Override
    public int run(String[] args) throws Exception {
        Mode mode = Mode.NONE;
        String configOption = null;
        String argument = null;
        Getopt g = new Getopt("postqueue", args, "c:fi:jps:v");
        for (int c; (c = nextOption(g)) != -1; ) {
            Mode next = switch (c) {
                case 'c' -> {
                    configOption = g.optarg();
                    yield null;
                }
                case 'f' -> Mode.FLUSH;
                case 'i' -> Mode.FILE;
                case 'j' -> Mode.JSON;
                case 'p' -> Mode.LIST;
                case 's' -> Mode.SITE;
                default -> null; // -v: verbose logging, nothing more to say here
            };
            if (next == null) continue;
            if (mode != Mode.NONE) throw usage();
            mode = next;
            if (c == 'i' || c == 's') argument = g.optarg();
        }
        if (g.operands().length > 0 || mode == Mode.NONE) throw usage();

        Path configDir = Instance.configDir(configOption);
        Config config = Sendmail.loadConfig(configDir, CommandFailure.EX_UNAVAILABLE);
        Path queueDir = Path.of(config.get("queue_directory"));
        if (!Files.isDirectory(queueDir)) {
            throw new CommandFailure(CommandFailure.EX_UNAVAILABLE, "chdir " + queueDir + ": No such file or directory");
        }
        if (mode == Mode.SITE && !validSite(argument)) {
            throw new CommandFailure(CommandFailure.EX_UNAVAILABLE, "Cannot flush mail queue - invalid destination: \""
                    + cut(argument) + "\"");
        }
        if (mode == Mode.FILE && !QueueId.isValid(argument)) {
            throw new CommandFailure(CommandFailure.EX_UNAVAILABLE, "Cannot flush queue ID - invalid name: \"" + cut(argument) + "\"");
        }
        return switch (mode) {
            case LIST, JSON -> showQueue(config, queueDir, mode == Mode.JSON);
            case FLUSH -> flushQueue(config, queueDir);
            case SITE -> flushSite(config, queueDir, argument);
            case FILE -> flushFile(config, queueDir, argument);
            case NONE -> throw usage();
        };
    }

    private static int nextOption(Getopt g) {
        try {
            return g.next();
        } catch (CommandFailure e) {
            // getopt's own complaint, then Postfix's usage line
            System.err.println("postqueue: " + e.getMessage().lines().findFirst().orElse(""));
            throw usage();
        }
    }

    private static CommandFailure usage() {
        return new CommandFailure(CommandFailure.EX_UNAVAILABLE, USAGE);
    }

    private static String cut(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    // ---------------------------------------------------------------- -p, -j

    private int showQueue(Config config, Path queueDir, boolean json) throws IOException {
        LocalUser user = LocalUser.current();
        if (!user.privileged(config) && !UserList.of(config, "authorized_mailq_users").allows(user.name())) {
            throw new CommandFailure(CommandFailure.EX_UNAVAILABLE, "User " + user.name() + "(" + user.uid() + ") is not allowed to view the mail queue");
        }
        PrintStream out = new PrintStream(new BufferedOutputStream(stdout, 65536), false, StandardCharsets.UTF_8);
        QueueReport report = new QueueReport(out, json, config.getBool("enable_long_queue_ids"));
        Path socket = PublicSocket.path(queueDir, config.get("showq_service_name"));
        String why = "No such file or directory";
        // no socket (master down, or no showq service): no connect, which could only say so
        // and whose first UNIX-domain socket costs the JVM several milliseconds
        if (!Files.notExists(socket, LinkOption.NOFOLLOW_LINKS)) {
            why = listFromShowq(config, socket, out, report);
            if (why == null) return 0;
        }
        String connect = "(Connect to the " + config.get("mail_name") + " showq service: " + why + ")";
        if (!user.privileged(config)) {
            throw new CommandFailure(CommandFailure.EX_UNAVAILABLE, "Queue report unavailable - mail system is down " + connect);
        }
        // the superuser (and the mail owner, who owns the queue) can read the queue directly
        Log.of("postqueue").warning("Mail system is down -- accessing queue directly %s", connect);
        try {
            QueueLister.of(config, Log.of("postqueue")).list(report::message);
        } catch (IOException e) {
            if (out.checkError()) return 0; // output pipe closed: stop quietly
            throw e;
        }
        report.finish();
        return 0;
    }

    /** Lists the queue as the showq service sends it; null when done, else why the connect failed. */
    private static String listFromShowq(Config config, Path socket, PrintStream out, QueueReport report) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            InputStream in = Channels.newInputStream(ch);
            try {
                ShowqProtocol.Reader reader = new ShowqProtocol.Reader(in);
                for (ShowqMessage m; (m = reader.next()) != null; ) report.message(m);
            } catch (IOException e) {
                if (out.checkError()) return null; // output pipe closed (mailq | head): stop quietly
                throw new CommandFailure(CommandFailure.EX_UNAVAILABLE, "malformed showq server response");
            }
            report.finish();
            return null;
        } catch (AccessDeniedException e) {
            throw new CommandFailure(CommandFailure.EX_UNAVAILABLE, "Connect to the " + config.get("mail_name") + " showq service: Permission denied");
        } catch (IOException e) {
            String why = connectError(socket, e);
            if (why.equals("Permission denied")) {
                throw new CommandFailure(CommandFailure.EX_UNAVAILABLE, "Connect to the " + config.get("mail_name") + " showq service: " + why);
            }
            return why;
        }
    }

    /** The connect(2) error text, as %m would print it. */
    private static String connectError(Path socket, IOException e) {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) return "No such file or directory";
        String m = e.getMessage();
        if (m == null) return "Connection refused";
        if (m.contains("Permission denied")) return "Permission denied";
        if (m.contains("Connection refused")) return "Connection refused";
        return m;
    }

    // ---------------------------------------------------------------- -f, -s, -i

    private static void requireFlushUser(Config config) {
        LocalUser user = LocalUser.current();
        if (!user.privileged(config) && !UserList.of(config, "authorized_flush_users").allows(user.name())) {
            throw new CommandFailure(CommandFailure.EX_UNAVAILABLE, "User " + user.name() + "(" + user.uid() + ") is not allowed to flush the mail queue");
        }
    }

    /** -f (and sendmail -q): qmgr forgets dead sites and scans everything now; pickup scans maildrop. */
    static int flushQueue(Config config, Path queueDir) {
        requireFlushUser(config);
        if (!PublicSocket.trigger(queueDir, "qmgr", PublicSocket.FLUSH_DEFERRED)) {
            if (!Files.exists(PublicSocket.path(queueDir, "qmgr"))) {
                Log.of("postqueue").warning("unable to look up public/qmgr: No such file or directory");
            }
            throw down();
        }
        if (!PublicSocket.trigger(queueDir, "pickup", String.valueOf(PublicSocket.WAKEUP))) {
            if (!Files.exists(PublicSocket.path(queueDir, "pickup"))) {
                Log.of("postqueue").warning("unable to look up public/pickup: No such file or directory");
            }
            throw down();
        }
        return 0;
    }

    private static CommandFailure down() {
        return new CommandFailure(CommandFailure.EX_UNAVAILABLE, "Cannot flush mail queue - mail system is down");
    }

    /**
     * -s site: flush(8) delivers the site's deferred mail from its fast-flush log. A site
     * outside fast_flush_domains is refused without asking the server, as Postfix's client does.
     */
    private static int flushSite(Config config, Path queueDir, String site) {
        requireFlushUser(config);
        return switch (new FlushClient(queueDir, FlushDomains.of(config)).sendSite(site)) {
            case OK -> 0;
            case BAD -> throw new CommandFailure(CommandFailure.EX_UNAVAILABLE, "Invalid request: \"" + site + "\"");
            case DENY -> throw new CommandFailure(CommandFailure.EX_UNAVAILABLE,
                    "Flush service is not configured for destination \"" + site + "\"");
            case FAIL -> throw flushDown(queueDir);
        };
    }

    /**
     * -i queue_id: flush(8) gives a message in deferred/ (or incoming/) the current time,
     * marks it for unthrottled delivery and moves it to incoming/. An ID in neither queue
     * is no error, as with Postfix.
     */
    private static int flushFile(Config config, Path queueDir, String id) {
        requireFlushUser(config);
        return switch (new FlushClient(queueDir, FlushDomains.of(config)).sendFile(id)) {
            case OK -> 0;
            case BAD -> throw new CommandFailure(CommandFailure.EX_UNAVAILABLE, "Invalid request: \"" + id + "\"");
            case FAIL -> throw flushDown(queueDir);
            case DENY -> throw new CommandFailure(CommandFailure.EX_UNAVAILABLE, "Unexpected flush server reply status 4");
        };
    }

    /** flush(8) could not be asked: Postfix's postqueue first says why when the socket is missing. */
    private static CommandFailure flushDown(Path queueDir) {
        if (!Files.exists(PublicSocket.path(queueDir, "flush"), LinkOption.NOFOLLOW_LINKS)) {
            Log.of("postqueue").warning("connect to public/flush: No such file or directory");
        }
        return down();
    }

    /** A hostname, or an address literal in brackets ([192.0.2.1], [ipv6:2001:db8::1]). */
    static boolean validSite(String site) {
        if (site.startsWith("[")) {
            if (!site.endsWith("]") || site.length() < 3) return false;
            String inner = site.substring(1, site.length() - 1);
            if (inner.regionMatches(true, 0, "ipv6:", 0, 5)) {
                String v6 = inner.substring(5);
                return v6.matches("[0-9A-Fa-f:.]+") && v6.contains(":") && parses(v6);
            }
            return inner.matches("\\d{1,3}(\\.\\d{1,3}){3}") && parses(inner);
        }
        if (site.isEmpty() || site.length() > 255) return false;
        for (String label : site.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) return false;
            if (!label.matches("[A-Za-z0-9_-]+")) return false;
        }
        return !site.matches("[0-9.]+"); // an all-numeric name is an address without brackets
    }

    private static boolean parses(String ip) {
        try {
            if (ip.contains(":")) {
                java.net.InetAddress.getByName(ip);
                return true;
            }
            for (String p : ip.split("\\.")) if (Integer.parseInt(p) > 255) return false;
            return true;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
