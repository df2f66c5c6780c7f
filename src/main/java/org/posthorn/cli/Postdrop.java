package org.posthorn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import org.posthorn.config.Config;
import org.posthorn.config.Instance;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileException;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.Record;
import org.posthorn.queue.RecordReader;
import org.posthorn.queue.RecordType;
import org.posthorn.queue.Segment;

/**
 * postdrop(1): reads a message as Postfix queue-file records on standard input (what
 * Postfix's sendmail sends it) and writes it into maildrop/ for pickup. It writes the
 * arrival time itself, keeps only the record types and named attributes Postfix's postdrop
 * accepts, and answers on standard output with Postfix's attribute lists
 * ({@code protocol}, {@code queue_id}, then {@code status}, {@code reason}). Input that
 * ends before the end record leaves nothing behind, as in Postfix.
 */
public final class Postdrop implements Command {
    /** The attributes postdrop passes on; others are dropped with a warning. */
    static final Set<String> ALLOWED_ATTRIBUTES = Set.of("envelope_id", "ret_flags", "rewrite_context", "encoding",
            "notify_flags", "trace_flags", "dsn_orig_rcpt");

    private final InputStream stdin;
    private final OutputStream stdout;

    public Postdrop() {
        this(System.in, System.out);
    }

    Postdrop(InputStream stdin, OutputStream stdout) {
        this.stdin = stdin;
        this.stdout = stdout;
    }

    @Override
    public int run(String[] args) throws Exception {
        String configOption = null;
        Getopt g = new Getopt("postdrop", args, "c:rv");
        int c;
        try {
            while ((c = g.next()) != -1) {
                if (c == 'c') configOption = g.optarg();
            }
        } catch (CommandFailure e) {
            System.err.println("postdrop: " + e.getMessage().lines().findFirst().orElse(""));
            throw new CommandFailure(1, "usage: postdrop [-c config_dir] [-v]");
        }
        Config config = Sendmail.loadConfig(Instance.configDir(configOption), 1);
        LocalUser user = LocalUser.current();
        if (!UserList.of(config, "authorized_submit_users").allows(user.name())) {
            throw new CommandFailure(1, "User " + user.name() + "(" + user.uid() + ") is not allowed to submit mail");
        }
        QueueDirectory queue = QueueDirectory.of(config);
        int lineLimit = config.getInt("line_length_limit");
        Log log = Log.of("postdrop");
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        String queueId;
        try (QueueFileWriter w = QueueFileWriter.createMaildrop(queue, lineLimit)) {
            attributes(out, "protocol", "postdrop_protocol", "queue_id", w.queueId());
            w.time(Instant.now());
            if (!copy(new RecordReader(Channels.newChannel(stdin), null, lineLimit), w, user, log)) {
                return 0; // sendmail went away: no message, no complaint
            }
            queueId = w.finish();
        } catch (QueueFileException e) {
            throw new CommandFailure(1, "uid=" + user.uid() + ": malformed input");
        }
        attributes(out, "status", "0", "reason", "");
        Sendmail.wakePickup(queue.root());
        return queueId == null ? 1 : 0;
    }

    /** Copies the record stream; false when the input ended before the end record. */
    private static boolean copy(RecordReader in, QueueFileWriter w, LocalUser user, Log log) throws IOException {
        Segment segment = Segment.ENVELOPE;
        for (;;) {
            Record r = in.next();
            if (r == null) return false;
            int code = r.code();
            if (!segment.allowsFromPostdrop(code)) {
                throw new CommandFailure(1, "uid=" + user.uid() + ": unexpected record type: " + code);
            }
            if (code == segment.terminator()) {
                switch (segment) {
                    case ENVELOPE -> w.beginContent();
                    case CONTENT -> w.endContent();
                    case EXTRACTED -> {
                        return true;
                    }
                }
                segment = segment.next();
                continue;
            }
            if (segment == Segment.CONTENT) {
                if (code == 'N') w.contentLine(r.data(), 0, r.data().length);
                else w.contentFragment(r.data(), 0, r.data().length);
                continue;
            }
            if (code == 'A') {
                String text = r.text();
                int eq = text.indexOf('=');
                if (eq <= 0 || !ALLOWED_ATTRIBUTES.contains(text.substring(0, eq))) {
                    log.warning("uid=%d: ignoring attribute record: %s", user.uid(), text);
                    continue;
                }
            }
            w.record(RecordType.of(code, segment), r.data());
        }
    }

    /** One attribute list in Postfix's NUL-separated form: name\0value\0 ... \0. */
    private static void attributes(PrintStream out, String... namesAndValues) {
        StringBuilder b = new StringBuilder();
        for (String s : namesAndValues) b.append(s).append('\0');
        b.append('\0');
        out.print(b);
        out.flush();
    }
}
