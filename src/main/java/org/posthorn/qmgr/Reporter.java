package org.posthorn.qmgr;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.posthorn.bounce.BounceLogs;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueFileEditor;
import org.posthorn.queue.QueueName;

/**
 * qmgr's {@link DeliveryReport} for one delivery job: per recipient it writes the bounce
 * or defer log entry (forced to disk), marks a sent or bounced recipient done in the queue
 * file (forced to disk), and only then logs Postfix's delivery line under the agent's tag
 * and counts the recipient as handled. A recipient whose log entry or done mark could not
 * be written stays pending (deferred), so a failure never loses it.
 */
final class Reporter implements DeliveryReport {
    /** What became of a recipient in this job. */
    enum Outcome { SENT, DEFERRED, BOUNCED }

    /** The DSN NOTIFY=SUCCESS bit of notify_flags. */
    private static final int NOTIFY_SUCCESS = 2;

    /** What a reporter needs from its surroundings. */
    record Context(BounceLogs logs, Clock clock, int delayDecimals, boolean softBounce, FastFlushLog fastFlush) {
        Context(BounceLogs logs, Clock clock, int delayDecimals, boolean softBounce) {
            this(logs, clock, delayDecimals, softBounce, null);
        }
    }

    private final Context context;
    private final Log log;
    private final String queueId;
    private final Path queueFile;
    private final Instant arrival;
    private final Instant activeSince;
    private final Instant handoff;
    /** trace_flags 1024 (sendmail -v): every outcome also goes to the trace log for the report. */
    private final boolean record;
    private final Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
    private final Map<Long, DeliveryStatus> statuses = new ConcurrentHashMap<>();
    private volatile DeliveryStatus unreachable;
    private volatile boolean crashed;

    /**
     * @param log     the agent's log (its tag goes on the delivery lines)
     * @param handoff when the job was handed to the agent; null for statuses qmgr reports itself
     * @param record  whether the message asks for sendmail -v's delivery report
     */
    Reporter(Context context, Log log, String queueId, Path queueFile, Instant arrival, Instant activeSince,
             Instant handoff, boolean record) {
        this.context = context;
        this.log = log;
        this.queueId = queueId;
        this.queueFile = queueFile;
        this.arrival = arrival;
        this.activeSince = activeSince;
        this.handoff = handoff;
        this.record = record;
    }

    /**
     * A status of the wrong class for the outcome is replaced by the outcome's generic
     * one, with Postfix's warning ("defer_append: ignoring dsn code "5.1.1"").
     */
    private DeliveryStatus checkClass(DeliveryStatus s, char cls, String caller, Log log) {
        String dsn = s.dsn() == null ? "" : s.dsn();
        if (!dsn.isEmpty() && dsn.charAt(0) == cls && DsnText.statusLength(dsn) == dsn.length()) return s;
        log.warning("%s: ignoring dsn code \"%s\"", caller, dsn);
        return new DeliveryStatus(cls + ".0.0", s.relay(), s.text(), s.diagnostic(), s.remoteMta(), s.connUse(), s.setup(),
                s.transmission());
    }

    @Override
    public void sent(DeliveryRecipient r, DeliveryStatus given) {
        sent(r, given, log);
    }

    @Override
    public void deferred(DeliveryRecipient r, DeliveryStatus status) {
        defer(r, checkClass(status, '4', "defer_append", log), "deferred", log);
    }

    @Override
    public void bounced(DeliveryRecipient r, DeliveryStatus given) {
        bounced(r, given, log);
    }

    /** A recipient that local(8) passed to another transport: that agent's tag goes on the line. */
    @Override
    public void report(DeliveryRecipient r, DeliveryStatus status, Log as) {
        Log l = as != null ? as : log;
        switch (status.dsn().charAt(0)) {
            case '2' -> sent(r, status, l);
            case '5' -> bounced(r, status, l);
            default -> defer(r, checkClass(status, '4', "defer_append", l), "deferred", l);
        }
    }

    private void sent(DeliveryRecipient r, DeliveryStatus given, Log log) {
        DeliveryStatus status = checkClass(given, '2', "sent", log);
        try {
            QueueFileEditor.markDone(queueFile, r.offset());
        } catch (IOException | RuntimeException e) {
            log.warning("%s: cannot mark recipient %s done: %s", queueId, r.address(), e.getMessage());
            outcomes.put(r.offset(), Outcome.DEFERRED);
            return;
        }
        if (record || (r.dsnNotify() & NOTIFY_SUCCESS) != 0) {
            // RFC 3461 NOTIFY=SUCCESS or sendmail -v: bounce(8) turns the trace log into the notice
            trace(r, status, status.remoteMta() != null ? "relayed" : "delivered", log);
        }
        logLine(r, status, "sent", log);
        outcomes.put(r.offset(), Outcome.SENT);
    }

    private void defer(DeliveryRecipient r, DeliveryStatus status, String word, Log log) {
        try {
            context.logs().append(QueueName.DEFER, queueId, entry(r, status, "delayed"));
        } catch (IOException | RuntimeException e) {
            // the recipient stays in the queue either way; only mailq's reason is missing
            log.warning("%s: cannot append to defer log: %s", queueId, e.getMessage());
        }
        if (record) trace(r, status, "delayed", log);
        if (context.fastFlush() != null) context.fastFlush().deferred(r.address(), queueId, log);
        logLine(r, status, word, log);
        outcomes.put(r.offset(), Outcome.DEFERRED);
    }

    private void bounced(DeliveryRecipient r, DeliveryStatus given, Log log) {
        DeliveryStatus status = checkClass(given, '5', "bounce_append", log);
        if (context.softBounce()) {
            // soft_bounce: the bounce becomes a deferral with a 4.X.X status
            String dsn = status.dsn().isEmpty() ? "4.0.0" : "4" + status.dsn().substring(1);
            defer(r, new DeliveryStatus(dsn, status.relay(), status.text(), status.diagnostic(), status.remoteMta(),
                    status.connUse(), status.setup(), status.transmission()), "SOFTBOUNCE", log);
            return;
        }
        try {
            context.logs().append(QueueName.BOUNCE, queueId, entry(r, status, "failed"));
            QueueFileEditor.markDone(queueFile, r.offset());
        } catch (IOException | RuntimeException e) {
            log.warning("%s: cannot record bounce of %s: %s", queueId, r.address(), e.getMessage());
            defer(r, DeliveryStatus.of("4.3.0", status.relay(), "bounce or trace service failure"), "deferred", log);
            return;
        }
        if (record) trace(r, status, "failed", log);
        logLine(r, status, "bounced", log);
        outcomes.put(r.offset(), Outcome.BOUNCED);
    }

    @Override
    public void destinationUnreachable(DeliveryStatus reason) {
        unreachable = reason;
    }

    /** The agent threw instead of returning. */
    void crashed() {
        crashed = true;
    }

    boolean agentCrashed() {
        return crashed;
    }

    /** Defers every recipient of the job that the agent left unreported. */
    void deferUnreported(List<DeliveryRecipient> recipients, DeliveryStatus status) {
        for (DeliveryRecipient r : recipients) if (!outcomes.containsKey(r.offset())) deferred(r, status);
    }

    Outcome outcome(DeliveryRecipient r) {
        return outcomes.get(r.offset());
    }

    boolean anyDeferred() {
        return outcomes.containsValue(Outcome.DEFERRED);
    }

    /**
     * The site failure of this job, if any: what the agent reported through
     * destinationUnreachable, or else, when every recipient was deferred with relay=none
     * and a 4.4.x status (no connection could be made), that status.
     */
    DeliveryStatus siteFailure(List<DeliveryRecipient> recipients) {
        if (unreachable != null) return unreachable;
        DeliveryStatus first = null;
        for (DeliveryRecipient r : recipients) {
            DeliveryStatus s = statuses.get(r.offset());
            if (outcomes.get(r.offset()) != Outcome.DEFERRED || s == null) return null;
            if (!"none".equals(s.relay()) || !s.dsn().startsWith("4.4.")) return null;
            if (first == null) first = s;
        }
        return first;
    }

    /**
     * Appends to the trace log as Postfix's trace_append: the reason names the relay the
     * agent used ("delivery via RELAY: text") unless there was none. A failure only loses
     * the report line, never the recipient.
     */
    private void trace(DeliveryRecipient r, DeliveryStatus s, String action, Log log) {
        String relay = s.relay();
        String text = s.text() == null ? "" : s.text();
        String reason = relay == null || relay.isEmpty() || relay.equals("none") ? text
                : "delivery via " + relay + ": " + text;
        try {
            context.logs().append(QueueName.TRACE, queueId, new BounceLogs.Entry(r.address(), r.originalAddress(),
                    r.offset(), r.dsnOrigRcpt(), r.dsnNotify(), s.dsn(), action, s.diagnostic(), s.remoteMta(), reason));
        } catch (IOException | RuntimeException e) {
            log.warning("%s: cannot append to trace log: %s", queueId, e.getMessage());
        }
    }

    private static BounceLogs.Entry entry(DeliveryRecipient r, DeliveryStatus s, String action) {
        return new BounceLogs.Entry(r.address(), r.originalAddress(), r.offset(), r.dsnOrigRcpt(), r.dsnNotify(),
                s.dsn(), action, s.diagnostic(), s.remoteMta(), s.text());
    }

    private void logLine(DeliveryRecipient r, DeliveryStatus s, String word, Log log) {
        statuses.put(r.offset(), s);
        Instant now = context.clock().instant();
        Duration a = between(arrival, activeSince);
        Duration b;
        Duration c = Duration.ZERO;
        Duration d = Duration.ZERO;
        if (handoff != null) {
            b = between(activeSince, handoff);
            c = s.setup() == null || s.setup().isNegative() ? Duration.ZERO : s.setup();
            d = between(handoff.plus(c), now);
        } else {
            b = between(activeSince, now);
        }
        log.info("%s", line(queueId, r, s, word, between(arrival, now), a, b, c, d, context.delayDecimals()));
    }

    private static Duration between(Instant from, Instant to) {
        Duration d = Duration.between(from, to);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /**
     * Postfix's delivery line: {@code ID: to=<r>, orig_to=<o>, relay=R, conn_use=N, delay=D,
     * delays=a/b/c/d, dsn=X.Y.Z, status=WORD (text)}; orig_to only when it differs (ignoring
     * case) from the recipient, conn_use only for a reused connection (N is 2 or more).
     */
    static String line(String queueId, DeliveryRecipient r, DeliveryStatus s, String word, Duration delay,
                       Duration a, Duration b, Duration c, Duration d, int decimals) {
        StringBuilder out = new StringBuilder(200);
        out.append(queueId).append(": to=<").append(r.address()).append('>');
        String orig = r.originalAddress();
        if (orig != null && !orig.isEmpty() && !orig.equalsIgnoreCase(r.address())) {
            out.append(", orig_to=<").append(orig).append('>');
        }
        out.append(", relay=").append(s.relay() == null || s.relay().isEmpty() ? "none" : s.relay());
        if (s.connUse() > 1) out.append(", conn_use=").append(s.connUse());
        out.append(", delay=").append(Delays.format(delay, decimals));
        out.append(", delays=").append(Delays.format(a, decimals)).append('/').append(Delays.format(b, decimals))
                .append('/').append(Delays.format(c, decimals)).append('/').append(Delays.format(d, decimals));
        out.append(", dsn=").append(s.dsn()).append(", status=").append(word)
                .append(" (").append(s.text() == null ? "" : s.text()).append(')');
        return out.toString();
    }
}
