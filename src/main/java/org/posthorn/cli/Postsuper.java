package org.posthorn.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.posthorn.config.Config;
import org.posthorn.config.ConfigException;
import org.posthorn.config.Instance;
import org.posthorn.log.Log;
import org.posthorn.log.LogSetup;
import org.posthorn.master.PublicSocket;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueName;

/**
 * postsuper(1): queue maintenance on the queue directory itself, with the mail system up
 * or down. -d deletes, -h holds, -H releases, -r requeues through maildrop/ and pickup,
 * -e and -f force expiry (the group-execute bit qmgr reads; -f also releases), -s checks
 * and repairs the layout, -p purges stale temporary files; IDs come from the command line,
 * standard input ("-") or are "ALL". As Postfix 3.7 does, -s and -p run first, the other
 * operations then in command-line order, and each requested operation ends with a count
 * ("Deleted: 2 messages") on stderr and in the log. Files in active/ are locked first
 * ({@link QueueSuper}), so a delivery in progress finishes before its file moves.
 *
 * <p>Postfix reserves postsuper for root. Posthorn's default instance belongs to the user
 * who runs it, so its owner may use postsuper too; anyone else is refused with Postfix's
 * message.
 */
public final class Postsuper implements Command {
    static final String USAGE = "usage: postsuper [-c config_dir] [-d queue_id (delete)] [-e queue_id (expire)]"
            + " [-f queue_id (expire and/or un-hold)] [-h queue_id (hold)] [-H queue_id (un-hold)]"
            + " [-p (purge temporary files)] [-r queue_id (requeue)] [-s (structure fix)]"
            + " [-S (redundant structure fix)][-v (verbose)] [queue...]";

    /** The directories postsuper accepts as operands (Postfix's list; corrupt/ and saved/ are not among them). */
    static final List<QueueName> KNOWN = List.of(QueueName.MAILDROP, QueueName.INCOMING, QueueName.ACTIVE,
            QueueName.DEFERRED, QueueName.HOLD, QueueName.TRACE, QueueName.DEFER, QueueName.BOUNCE, QueueName.FLUSH);

    /** An operation by queue ID: -d, -e, -f, -h, -H, -r with its argument (an ID, "ALL" or "-"). */
    record Request(QueueSuper.Operation operation, String argument) {
    }

    private final InputStream stdin;

    public Postsuper() {
        this(System.in);
    }

    Postsuper(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public int run(String[] args) throws Exception {
        String configOption = null;
        boolean structure = false;
        boolean redundant = false;
        boolean purge = false;
        int verbose = 0;
        List<Request> requests = new ArrayList<>();
        Getopt g = new Getopt("postsuper", args, "c:d:e:f:h:H:pr:sSv");
        for (int c; (c = nextOption(g)) != -1; ) {
            switch (c) {
                case 'c' -> {
                    if (!g.optarg().startsWith("/")) throw new CommandFailure("-c requires absolute pathname");
                    configOption = g.optarg();
                }
                case 'd' -> requests.add(new Request(QueueSuper.Operation.DELETE, g.optarg()));
                case 'e' -> requests.add(new Request(QueueSuper.Operation.EXPIRE, g.optarg()));
                case 'f' -> requests.add(new Request(QueueSuper.Operation.EXPIRE_RELEASE, g.optarg()));
                case 'h' -> requests.add(new Request(QueueSuper.Operation.HOLD, g.optarg()));
                case 'H' -> requests.add(new Request(QueueSuper.Operation.RELEASE, g.optarg()));
                case 'r' -> requests.add(new Request(QueueSuper.Operation.REQUEUE, g.optarg()));
                case 'p' -> purge = true;
                case 's' -> structure = true;
                case 'S' -> {
                    structure = true;
                    redundant = true;
                }
                default -> verbose++; // -v
            }
        }
        if (requests.isEmpty() && !structure && !purge) {
            // no operation named: Postfix's default is the structure check and the purge
            structure = true;
            purge = true;
        }
        List<QueueName> operands = new ArrayList<>();
        for (String name : g.operands()) {
            QueueName q = QueueName.byName(name).filter(KNOWN::contains).filter(x -> x.dirName().equals(name)).orElse(null);
            if (q == null) throw new CommandFailure("invalid directory name: " + name);
            operands.add(q);
        }

        Config config = Sendmail.loadConfig(Instance.configDir(configOption), 1);
        QueueDirectory queue = QueueDirectory.of(config);
        if (!Files.isDirectory(queue.root())) {
            throw new CommandFailure("chdir " + queue.root() + ": No such file or directory");
        }
        requireQueueOwner(queue.root());
        try {
            LogSetup.configure(config, false);
        } catch (ConfigException e) {
            throw new CommandFailure(e.getMessage());
        }

        Log log = Log.of("postsuper");
        QueueSuper work = new QueueSuper(queue, log, verbose > 0);
        try {
            try {
                return operate(work, log, queue, requests, operands, structure, redundant, purge);
            } catch (java.nio.file.AccessDeniedException e) {
                throw new CommandFailure(e.getFile() + ": Permission denied");
            } catch (IOException e) {
                throw new CommandFailure(e.getMessage() != null ? e.getMessage() : e.toString());
            }
        } catch (CommandFailure e) {
            if (!work.repairStarted()) throw e;
            // as Postfix: a repair that stops half way says so after the fatal error
            System.err.println("postsuper: fatal: " + e.getMessage());
            log.warning("OPERATION INCOMPLETE -- RERUN COMMAND TO FIX THE QUEUE FIRST");
            return e.status();
        } finally {
            Log.clearSinks(); // the maillog writer runs behind: let it finish before the JVM exits
        }
    }

    private int operate(QueueSuper work, Log log, QueueDirectory queue, List<Request> requests, List<QueueName> operands,
                        boolean structure, boolean redundant, boolean purge) throws IOException {
        if (structure || purge) work.structure(operands.isEmpty() ? QueueSuper.DEFAULT_QUEUES : operands, structure, redundant, purge);
        boolean byId = requests.stream().anyMatch(r -> !r.argument().equals("ALL"));
        if (byId && work.namesChanged()) {
            // the IDs on the command line may now name other messages
            log.error("QUEUE FILE NAMES WERE CHANGED TO MATCH INODE NUMBERS");
            throw new CommandFailure("CHECK YOUR QUEUE IDS AND RE-ISSUE THE COMMAND");
        }
        BufferedReader input = null;
        for (Request r : requests) {
            List<QueueName> queues = operands.isEmpty() ? r.operation().defaultQueues() : operands;
            switch (r.argument()) {
                case "ALL" -> work.all(r.operation(), queues);
                case "-" -> {
                    if (input == null) input = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.ISO_8859_1));
                    for (String id; (id = input.readLine()) != null; ) work.one(r.operation(), queues, id);
                }
                default -> work.one(r.operation(), queues, r.argument());
            }
        }
        Set<QueueSuper.Operation> asked = EnumSet.noneOf(QueueSuper.Operation.class);
        for (Request r : requests) asked.add(r.operation());
        work.report(asked);
        wakeUp(queue.root(), work);
        return 0;
    }

    private static int nextOption(Getopt g) {
        try {
            return g.next();
        } catch (CommandFailure e) {
            // getopt's own complaint, then Postfix's usage line
            System.err.println("postsuper: " + e.getMessage().lines().findFirst().orElse(""));
            throw new CommandFailure(USAGE);
        }
    }

    /**
     * root may always run postsuper; so may the user who owns the queue directory (the
     * default instance runs as its user). Anyone else gets Postfix's refusal.
     */
    private static void requireQueueOwner(Path root) {
        long uid = LocalUser.current().uid();
        if (uid == 0) return;
        try {
            if (((Number) Files.getAttribute(root, "unix:uid")).longValue() == uid) return;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // cannot tell: refuse
        }
        throw new CommandFailure("use of this command is reserved for the superuser");
    }

    /**
     * With the mail system up, tell it at once what changed (Postfix's postsuper leaves
     * that to the next periodic scan): qmgr rescans deferred/ after a release or forced
     * expiry, pickup scans maildrop/ after a requeue. With the mail system down nothing
     * listens and nothing needs to.
     */
    private static void wakeUp(Path root, QueueSuper work) {
        if (work.released() > 0 || work.expired() > 0) {
            PublicSocket.trigger(root, "qmgr", String.valueOf(PublicSocket.QMGR_SCAN_DEFERRED));
        }
        if (work.requeued() > 0) PublicSocket.trigger(root, "pickup", String.valueOf(PublicSocket.WAKEUP));
    }
}
