package org.posthorn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.posthorn.config.Config;
import org.posthorn.config.ConfigException;
import org.posthorn.config.Instance;
import org.posthorn.log.Log;
import org.posthorn.log.LogSetup;
import org.posthorn.master.PublicSocket;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;
import org.posthorn.queue.RecordType;
import org.posthorn.smtpd.StandaloneSmtpd;

/**
 * sendmail(1), Postfix's Sendmail-compatible interface: posts a message from standard
 * input into maildrop/ in the format postdrop writes (so it works while the master is
 * down), forces it to disk, then wakes pickup through public/pickup. The -bp, -bi, -bd
 * and -qR/-qI modes hand over to postqueue, newaliases and postfix as Postfix does.
 */
public final class Sendmail implements Command {
    private final InputStream stdin;

    public Sendmail() {
        this(System.in);
    }

    Sendmail(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public int run(String[] args) throws Exception {
        SendmailOptions o = SendmailOptions.parse(args);
        Log log = Log.of("sendmail");
        for (String w : o.warnings) log.warning("%s", w);
        Path configDir = configDir(o.configDir);
        Config config = loadConfig(configDir, CommandFailure.EX_TEMPFAIL);
        if (o.verp != null && o.verp.isEmpty()) {
            String d = config.get("default_verp_delimiters");
            o.verp = d.isEmpty() ? "+=" : d;
        }
        return switch (o.mode) {
            case NOTHING -> 0;
            case MAILQ -> new Postqueue().run(new String[]{"-c", configDir.toString(), "-p"});
            case FLUSH_SITE -> new Postqueue().run(new String[]{"-c", configDir.toString(), "-s", o.flushArgument});
            case FLUSH_ID -> new Postqueue().run(new String[]{"-c", configDir.toString(), "-i", o.flushArgument});
            case NEWALIASES -> new Newaliases().run(o.configDir == null ? new String[0] : new String[]{"-C", configDir.toString()});
            case DAEMON -> new Postfix().run(new String[]{"-c", configDir.toString(), "start"});
            case SMTP -> smtp(config);
            case FLUSH -> Postqueue.flushQueue(config, Path.of(config.get("queue_directory")));
            case VERIFY, MAIL -> post(o, config);
        };
    }

    /** Reads main.cf; like Postfix's commands, a configuration directory without main.cf is fatal. */
    static Config loadConfig(Path dir, int status) throws IOException {
        Path mainCf = dir.resolve("main.cf");
        if (!Files.isRegularFile(mainCf)) throw new CommandFailure(status, "open " + mainCf + ": No such file or directory");
        return Config.load(dir);
    }

    /** -C accepts main.cf's directory or the file itself. */
    private static Path configDir(String option) {
        if (option != null && Files.isRegularFile(Path.of(option))) {
            Path parent = Path.of(option).toAbsolutePath().getParent();
            return parent;
        }
        return Instance.configDir(option);
    }

    /** -bs: Postfix's stand-alone smtpd on standard input and output, posting into maildrop. */
    private int smtp(Config config) {
        LocalUser user = LocalUser.current();
        if (!UserList.of(config, "authorized_submit_users").allows(user.name())) {
            throw new CommandFailure(CommandFailure.EX_TEMPFAIL, "User " + user.name() + "(" + user.uid() + ") is not allowed to submit mail");
        }
        try {
            // the session's smtpd lines go where the daemons' go, as Postfix's smtpd -S logs them
            LogSetup.configure(config, false);
        } catch (ConfigException | IOException e) {
            throw new CommandFailure(CommandFailure.EX_TEMPFAIL, e.getMessage());
        }
        StandaloneSmtpd.run(config, new MaildropCleanup(QueueDirectory.of(config), config.getInt("line_length_limit")),
                stdin, System.out);
        System.out.flush();
        return 0;
    }

    /** -bm (and -bv): write the maildrop file, force it to disk, wake pickup. */
    private int post(SendmailOptions o, Config config) throws IOException {
        LocalUser user = LocalUser.current();
        if (!UserList.of(config, "authorized_submit_users").allows(user.name())) {
            throw new CommandFailure(CommandFailure.EX_TEMPFAIL, "User " + user.name() + "(" + user.uid() + ") is not allowed to submit mail");
        }
        String sender = o.sender != null ? AddressList.sender(o.sender) : user.name();
        String who = sender + "(" + user.uid() + ")";
        boolean verify = o.mode == SendmailOptions.Mode.VERIFY;
        if (o.recipients.isEmpty() && (!o.extractRecipients || verify)) {
            throw new CommandFailure(CommandFailure.EX_TEMPFAIL, who + ": Recipient addresses must be specified on the command line or via the -t option");
        }
        if (o.verp != null && sender.isEmpty()) {
            throw new CommandFailure(CommandFailure.EX_USAGE, who + ": -V option requires non-null sender address");
        }
        String fullName = o.fullName != null ? o.fullName : user.fullName();
        QueueDirectory queue = QueueDirectory.of(config);
        int lineLimit = config.getInt("line_length_limit");
        String queueId;
        try (QueueFileWriter w = createMaildrop(queue, lineLimit, who)) {
            Thread cleanupOnSignal = removeOnExit(w.path());
            w.time(Instant.now());
            if (o.envid != null) w.record(RecordType.ATTR, "envelope_id=" + o.envid);
            if (o.retFlags != 0) w.record(RecordType.ATTR, "ret_flags=" + o.retFlags);
            w.record(RecordType.ATTR, "rewrite_context=local");
            if (fullName != null) w.record(RecordType.FULL, fullName);
            w.record(RecordType.FROM, sender);
            if (o.encoding != null) w.record(RecordType.ATTR, "encoding=" + o.encoding);
            if (verify) w.record(RecordType.ATTR, "trace_flags=" + TRACE_USER_VERIFY);
            else if (o.verbose > 0) w.record(RecordType.ATTR, "trace_flags=" + TRACE_RECORD);
            if (o.verp != null) w.record(RecordType.VERP, o.verp);
            writeRecipients(w, o.recipients, o.notifyFlags);
            w.beginContent();
            SendmailInput.HeaderRecipients headers = o.extractRecipients && !verify ? new SendmailInput.HeaderRecipients() : null;
            if (verify) {
                writeProbe(w, sender, o.recipients);
            } else {
                new SendmailInput(stdin, lineLimit, o.dotEndsInput, headers).copyTo(w);
            }
            w.endContent();
            if (headers != null) {
                List<String> extracted = headers.recipients();
                if (extracted.isEmpty() && o.recipients.isEmpty()) {
                    throw new CommandFailure(CommandFailure.EX_TEMPFAIL, who + ": No recipient addresses found in message header");
                }
                writeRecipients(w, extracted, o.notifyFlags);
            }
            queueId = w.finish();
            Runtime.getRuntime().removeShutdownHook(cleanupOnSignal);
        } catch (IOException e) {
            throw new CommandFailure(CommandFailure.EX_TEMPFAIL, who + ": error writing queue file: " + e.getMessage());
        }
        if (o.verbose > 0) log().info("%s: queued in maildrop", queueId);
        if (verify || o.verbose > 0) {
            // as Postfix's sendmail: -v asks for the report of the first delivery attempt
            System.out.println("Mail Delivery Status Report will be mailed to <" + sender + ">.");
        }
        if (verify) {
            // the file is Postfix's probe, but this version's pickup cannot run it: say so
            log().warning("address verification (-bv) is not implemented by this version: pickup will discard the request without a report");
        }
        wakePickup(queue.root());
        return 0;
    }

    /** Wakes pickup through public/pickup; with the master down, warns as Postfix's postdrop does and goes on. */
    static void wakePickup(Path queueDirectory) {
        if (!PublicSocket.trigger(queueDirectory, "pickup", String.valueOf(PublicSocket.WAKEUP))
                && !Files.exists(PublicSocket.path(queueDirectory, "pickup"))) {
            Log.of("postdrop").warning("unable to look up public/pickup: No such file or directory");
        }
    }

    /**
     * Removes the half-written maildrop file when sendmail is killed (SIGINT, SIGTERM, SIGHUP)
     * before it finished, as Postfix's postdrop does; pickup never sees a 0600 file anyway.
     */
    private static Thread removeOnExit(Path file) {
        Thread t = new Thread(() -> {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // pickup removes stale files later
            }
        });
        Runtime.getRuntime().addShutdownHook(t);
        return t;
    }

    /** trace_flags for -bv: DEL_REQ_FLAG_USR_VRFY, a report instead of delivery. */
    static final int TRACE_USER_VERIFY = 512;

    /** trace_flags for -v: DEL_REQ_FLAG_RECORD, a report of the first delivery attempt. */
    static final int TRACE_RECORD = 1024;

    private static Log log() {
        return Log.of("sendmail");
    }

    private static QueueFileWriter createMaildrop(QueueDirectory queue, int lineLimit, String who) {
        try {
            return QueueFileWriter.createMaildrop(queue, lineLimit);
        } catch (IOException e) {
            throw new CommandFailure(CommandFailure.EX_TEMPFAIL, who + ": unable to create a file in " + queue.dir(QueueName.MAILDROP) + ": " + e.getMessage());
        }
    }

    private static void writeRecipients(QueueFileWriter w, List<String> recipients, int notifyFlags) throws IOException {
        for (String r : recipients) {
            if (notifyFlags != 0) w.record(RecordType.ATTR, "notify_flags=" + notifyFlags);
            w.record(RecordType.RCPT, r);
        }
    }

    /** The message -bv sends instead of reading standard input. */
    private static void writeProbe(QueueFileWriter w, String sender, List<String> recipients) throws IOException {
        w.contentLine("From: " + sender);
        w.contentLine("Subject: probe");
        // one recipient per line, as Postfix writes it: "To:" as an L record, then "\ta@b," and "\tc@d"
        byte[] to = "To:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (!recipients.isEmpty()) w.contentFragment(to, 0, to.length);
        for (int i = 0; i < recipients.size(); i++) {
            w.contentLine("\t" + recipients.get(i) + (i + 1 < recipients.size() ? "," : ""));
        }
    }
}
