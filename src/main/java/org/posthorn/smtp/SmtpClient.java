package org.posthorn.smtp;

import java.util.regex.Pattern;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.posthorn.address.Quote;
import org.posthorn.dns.DnsException;
import org.posthorn.dns.HostLookup;
import org.posthorn.log.Log;
import org.posthorn.qmgr.DeliveryRecipient;
import org.posthorn.qmgr.DeliveryRequest;
import org.posthorn.qmgr.DeliveryStatus;
import org.posthorn.queue.Envelope;
import org.posthorn.queue.QueueFileException;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.tls.ServerCertCheck;
import org.posthorn.tls.TlsLog;
import org.posthorn.tls.TlsPolicy;

/**
 * The SMTP and LMTP client protocol engine behind smtp(8) and lmtp(8): for one delivery request
 * it finds the servers of the next-hop, connects to them in order (up to smtp_mx_address_limit
 * addresses and smtp_mx_session_limit working sessions), runs the mail transaction with
 * pipelining when offered, and reports every recipient exactly once with Postfix's texts.
 *
 * <p>Soft failures (4xx, lost connections, timeouts) at a server that is not the last to try
 * leave the recipient for the next server; at the last one they defer it. 5xx replies bounce.
 */
final class SmtpClient {
    private static final Pattern LIST = Pattern.compile("[,\\s]+");
    private static final int NOTIFY_NEVER = 1;
    private static final int NOTIFY_SUCCESS = 2;
    private static final int NOTIFY_DELAY = 4;
    private static final int NOTIFY_FAILURE = 8;
    /** The queue file's smtputf8 flags beyond "requested": UTF-8 in headers, sender or recipients. */
    private static final int SMTPUTF8_NEEDED = 2 | 4 | 8;

    private final SmtpParams params;
    private final Destinations destinations;
    private final ConnectionCache cache;
    private final Log log;
    private final String protocol;
    private final Set<String> discardKeywords;
    private final SaslLogin saslLogin;
    private final SmtpTls tls;

    SmtpClient(SmtpParams params, HostLookup lookup, Log log) {
        this.params = params;
        this.log = log;
        this.tls = new SmtpTls(params, lookup.resolver(), lookup.useDns(), log);
        this.protocol = params.lmtp() ? "lmtp" : "smtp";
        this.destinations = new Destinations(lookup, params.lmtp(), params.defaultPort(),
                params.globalBool("ignore_mx_lookup_error"), params.global("myhostname"),
                java.nio.file.Path.of(params.global("queue_directory")));
        this.saslLogin = new SaslLogin(params);
        destinations.dnssec(lookup.useDns() && params.get("dns_support_level").equalsIgnoreCase("dnssec"));
        this.cache = new ConnectionCache(params.millis("connection_cache_time_limit"), this::quit);
        Set<String> discard = new HashSet<>();
        for (String k : params.get("discard_ehlo_keywords").split("[,\\s]+")) {
            if (!k.isEmpty()) discard.add(k.toLowerCase(Locale.ROOT));
        }
        this.discardKeywords = discard;
    }

    ConnectionCache cache() {
        return cache;
    }

    /** A recipient of the request and what is known about it so far. */
    private static final class Rcpt {
        final DeliveryRecipient recipient;
        boolean reported;

        Rcpt(DeliveryRecipient recipient) {
            this.recipient = recipient;
        }
    }

    /** A TLS handshake failed at level may with a message old enough: Postfix tries the server again without TLS. */
    private static final class RetryPlaintext extends Exception {
        private static final long serialVersionUID = 1L;
    }

    /** A failure that ends the session: its status applies to every recipient not yet reported. */
    private static final class SessionFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final transient DeliveryStatus status;

        SessionFailure(DeliveryStatus status) {
            super(status.text());
            this.status = status;
        }
    }

    /** One request in progress. */
    private final class Job {
        final DeliveryRequest request;
        final List<Rcpt> rcpts = new ArrayList<>();
        final Instant start = Instant.now();
        /** Server addresses that already had their try (a reused session's server is not tried twice). */
        final Set<String> tried = new HashSet<>();
        Envelope envelope;
        /** The queue file, open for the whole request: its content is sent from here. */
        QueueFileReader queueFile;
        DeliveryStatus lastSoft;
        /** The TLS policy key of the whole next-hop, for the connection cache. */
        String destinationTlsKey = "";

        Job(DeliveryRequest request) {
            this.request = request;
            for (DeliveryRecipient r : request.recipients()) rcpts.add(new Rcpt(r));
        }

        List<Rcpt> pending() {
            return rcpts.stream().filter(r -> !r.reported).toList();
        }

        void report(Rcpt r, DeliveryStatus status) {
            if (r.reported) return;
            r.reported = true;
            request.report().report(r.recipient, status);
        }

        /** A soft failure: final at the last server, else remembered and the recipient kept for the next. */
        void soft(Rcpt r, DeliveryStatus status, boolean last) {
            lastSoft = status;
            if (last) report(r, status);
        }

        void fail(Rcpt r, DeliveryStatus status, boolean last) {
            if (status.dsn().charAt(0) == '5') report(r, status);
            else soft(r, status, last);
        }
    }

    void deliver(DeliveryRequest request) {
        Job job = new Job(request);
        try {
            job.queueFile = QueueFileReader.open(request.queueFile());
            job.envelope = job.queueFile.envelope();
        } catch (IOException e) {
            log.warning("%s: read queue file %s: %s", request.queueId(), request.queueFile(), e.getMessage());
            for (Rcpt r : job.rcpts) job.report(r, DeliveryStatus.of("4.3.0", "none", "error reading message file"));
            return;
        }
        try {
            run(job);
        } finally {
            try {
                job.queueFile.close();
            } catch (IOException e) {
                // read-only: nothing was lost
            }
            DeliveryStatus rest = job.lastSoft != null ? job.lastSoft
                    : DeliveryStatus.of("4.3.0", "none", "delivery temporarily suspended: no server was tried");
            for (Rcpt r : job.pending()) job.report(r, rest);
        }
    }

    private void run(Job job) {
        String nexthop = job.request.nexthop();
        try {
            job.destinationTlsKey = tls.destinationKey(destinations.parse(nexthop).stream().map(Destinations.Hop::text).toList());
        } catch (IllegalArgumentException e) {
            job.destinationTlsKey = "";
        }
        // a cached session for this destination first
        SmtpSession cached = cache.takeByDestination(nexthop, job.destinationTlsKey);
        if (cached != null && reset(cached)) {
            converse(job, cached, false, nexthop);
            if (job.pending().isEmpty()) return;
        }
        DnsException dnsFailure = null;
        List<Target> targets = List.of();
        try {
            targets = destinations.resolve(nexthop, params.integer("mx_address_limit"));
        } catch (DnsException e) {
            dnsFailure = e;
        } catch (IllegalArgumentException e) {
            log.warning("%s: %s", job.request.queueId(), e.getMessage());
            job.lastSoft = DeliveryStatus.of("4.3.5", "none", "mail transport unavailable");
            return;
        }
        String fallback = params.get("fallback_relay");
        boolean hasFallback = !fallback.isEmpty() && !params.lmtp();
        if (dnsFailure != null) {
            DeliveryStatus status = DeliveryStatus.of(dnsFailure.dsn(), "none", dnsFailure.getMessage());
            if (!hasFallback) {
                for (Rcpt r : job.pending()) job.report(r, status);
                return;
            }
            job.lastSoft = status;
        }
        int sessions = tryTargets(job, targets, nexthop, !hasFallback, 0);
        if (!job.pending().isEmpty() && hasFallback) {
            try {
                tryTargets(job, destinations.resolve(fallback, params.integer("mx_address_limit")), nexthop, true, sessions);
            } catch (DnsException e) {
                job.lastSoft = DeliveryStatus.of("4" + e.dsn().substring(1), "none", e.getMessage());
            } catch (IllegalArgumentException e) {
                log.warning("%s: %s: %s", job.request.queueId(), params.name("fallback_relay"), e.getMessage());
            }
        }
    }

    /** Tries the servers in order; returns the number of sessions that got past the greeting. */
    private int tryTargets(Job job, List<Target> targets, String nexthop, boolean lastList, int sessions) {
        int sessionLimit = params.integer("mx_session_limit");
        for (int i = 0; i < targets.size() && !job.pending().isEmpty(); i++) {
            Target target = targets.get(i);
            if (job.tried.contains(target.cacheKey())) continue;
            boolean lastTarget = lastList && i == targets.size() - 1;
            SmtpTls.Effective policy;
            String tlsKey;
            try {
                TlsPolicy declared = tls.declared(target.destination());
                tlsKey = SmtpTls.key(declared);
                policy = tls.effective(target, declared);
            } catch (SmtpTls.Unusable u) {
                DeliveryStatus status = DeliveryStatus.of(u.dsn, target.relay(), u.getMessage());
                for (Rcpt r : job.pending()) job.fail(r, status, lastTarget);
                continue;
            }
            SmtpSession session = cache.takeByAddress(SmtpSession.cacheKey(target, tlsKey));
            if (session != null && !reset(session)) session = null;
            if (session == null) {
                try {
                    try {
                        session = open(job, target, policy, tlsKey, false);
                    } catch (RetryPlaintext retry) {
                        session = open(job, target, policy, tlsKey, true);
                    }
                    saslLogin(session, nexthop);
                } catch (SessionFailure | RetryPlaintext f) {
                    if (f instanceof SessionFailure sf) for (Rcpt r : job.pending()) job.fail(r, sf.status, lastTarget);
                    continue;
                }
            }
            sessions++;
            boolean last = (lastList && i == targets.size() - 1) || (sessionLimit > 0 && sessions >= sessionLimit);
            converse(job, session, last, nexthop);
            if (sessionLimit > 0 && sessions >= sessionLimit) break;
        }
        return sessions;
    }

    /** Runs transactions for the pending recipients on a session, then caches or closes it. */
    private void converse(Job job, SmtpSession session, boolean last, String nexthop) {
        job.tried.add(session.target().cacheKey());
        try {
            List<Rcpt> batch = job.pending();
            while (!batch.isEmpty()) batch = transaction(job, session, batch, last);
        } catch (SessionFailure f) {
            session.broken();
            for (Rcpt r : job.pending()) job.fail(r, f.status, last);
        } catch (RuntimeException e) {
            session.broken();
            throw e;
        } finally {
            release(session, nexthop, job.request.backlog(), job.destinationTlsKey);
        }
    }

    // ---- connection setup

    /**
     * Connects, reads the greeting, says EHLO (LHLO, HELO) and, as the TLS policy says, starts
     * TLS and says EHLO again. plaintext: the retry without STARTTLS after a failed handshake.
     */
    private SmtpSession open(Job job, Target target, SmtpTls.Effective policy, String tlsKey, boolean plaintext)
            throws SessionFailure, RetryPlaintext {
        SmtpConnection conn;
        try {
            conn = SmtpConnection.connect(target, params.millis("connect_timeout"));
        } catch (IOException e) {
            String text = "connect to " + target.relay() + ": " + connectError(e);
            log.info("%s", text);
            throw new SessionFailure(DeliveryStatus.of("4.4.1", "none", text));
        }
        SmtpSession session = new SmtpSession(conn, tlsKey);
        boolean useTls = policy.enabled() && !plaintext;
        String stage = "receiving the initial server greeting";
        try {
            if (useTls && tls.wrapperMode()) {
                if (tls.engineProblem() != null) {
                    conn.close();
                    throw new SessionFailure(DeliveryStatus.of("4.7.5", target.relay(),
                            "TLS is required, but our TLS engine is unavailable"));
                }
                startTls(job, session, policy);
            }
            conn.deadline(params.millis("helo_timeout"));
            Reply greeting = conn.reply();
            if (!greeting.positive()) {
                String dsn = greeting.dsn();
                // smtp_skip_5xx_greeting: a 5xx greeting means "try another server", not "bounce"
                if (dsn.charAt(0) == '5' && params.bool("skip_5xx_greeting")) dsn = "4" + dsn.substring(1);
                quitQuietly(session);
                throw failure(dsn, target, refused(target, greeting), greeting);
            }
            String helo = params.get("helo_name");
            Reply reply = null;
            if (params.lmtp()) {
                stage = "performing the LHLO handshake";
                conn.command("LHLO " + helo);
                reply = conn.reply();
            } else if (!params.bool("never_send_ehlo")) {
                stage = "performing the EHLO handshake";
                conn.command("EHLO " + helo);
                reply = conn.reply();
            }
            if (reply == null || (!reply.positive() && !params.lmtp())) {
                stage = "performing the HELO handshake";
                conn.command("HELO " + helo);
                Reply heloReply = conn.reply();
                if (!heloReply.positive()) {
                    quitQuietly(session);
                    throw failure(heloReply.dsn(), target, refused(target, heloReply), heloReply);
                }
            } else if (!reply.positive()) {
                quitQuietly(session);
                throw failure(reply.dsn(), target, refused(target, reply), reply);
            } else {
                session.features(reply, discardKeywords);
            }
            if (!session.tls()) starttls(job, session, useTls ? policy : null);
            return session;
        } catch (IOException e) {
            conn.close();
            throw new SessionFailure(ioFailure(e, target, stage));
        }
    }

    /** AUTH after EHLO when smtp_sasl_auth_enable and the password maps say so; a refusal ends the session. */
    private void saslLogin(SmtpSession session, String nexthop) throws SessionFailure {
        SaslLogin.Outcome outcome;
        try {
            // inside TLS smtp_sasl_tls_security_options apply
            outcome = saslLogin.login(session, nexthop, session.tls());
        } catch (IOException e) {
            session.connection().close();
            if (e.getCause() instanceof org.posthorn.table.TableException) {
                log.warning("%s", e.getMessage());
                throw new SessionFailure(DeliveryStatus.of("4.3.0", "none", "SASL authentication failed: "
                        + "password table lookup error"));
            }
            throw new SessionFailure(ioFailure(e, session.target(), "authenticating"));
        }
        if (outcome instanceof SaslLogin.Outcome.LoggedIn) session.authenticated(true);
        if (outcome instanceof SaslLogin.Outcome.Failed f) {
            quit(session);
            throw failure(f.dsn(), session.target(), f.text(), f.reply());
        }
    }

    /**
     * STARTTLS after EHLO when offered and the policy wants TLS; the checks of a mandatory
     * level after it (Postfix's smtp_helo and smtp_start_tls). policy null: no TLS this time.
     */
    private void starttls(Job job, SmtpSession session, SmtpTls.Effective policy)
            throws IOException, SessionFailure, RetryPlaintext {
        SmtpConnection conn = session.connection();
        Target target = session.target();
        if (session.starttls() && params.bool("tls_note_starttls_offer") && (policy == null || !policy.enabled())) {
            log.info("Host offered STARTTLS: [%s]", target.hostname());
        }
        if (policy == null || !policy.enabled()) return;
        if (session.starttls() && tls.engineProblem() == null) {
            conn.deadline(params.millis("starttls_timeout"));
            conn.command("STARTTLS");
            Reply reply;
            try {
                reply = conn.reply();
            } catch (IOException e) {
                conn.close();
                throw new SessionFailure(ioFailure(e, target, "receiving the STARTTLS response"));
            }
            if (reply.code() / 100 == 2) {
                startTls(job, session, policy);
                String helo = params.get("helo_name");
                conn.deadline(params.millis("helo_timeout"));
                conn.command((params.lmtp() ? "LHLO " : "EHLO ") + helo);
                Reply again;
                try {
                    again = conn.reply();
                } catch (IOException e) {
                    conn.close();
                    throw new SessionFailure(ioFailure(e, target,
                            "performing the " + (params.lmtp() ? "LHLO" : "EHLO") + " handshake"));
                }
                if (!again.positive()) {
                    quitQuietly(session);
                    throw failure(again.dsn(), target, refused(target, again), again);
                }
                session.features(again, discardKeywords);
                return;
            }
            if (policy.level().mandatory()) {
                quitQuietly(session);
                throw failure(reply.dsn(), target, "TLS is required, but host " + target.namaddr()
                        + " refused to start TLS: " + reply.text().replace('\n', ' '), reply);
            }
            return; // may: on in plaintext
        }
        if (!policy.level().mandatory()) return;
        quitQuietly(session);
        if (!session.starttls()) {
            throw new SessionFailure(DeliveryStatus.of("4.7.4", target.relay(),
                    "TLS is required, but was not offered by host " + target.namaddr()));
        }
        throw new SessionFailure(DeliveryStatus.of("4.7.5", target.relay(), "TLS is required, but our TLS engine is unavailable"));
    }

    /** The handshake and the certificate checks; a failure closes the connection. */
    private void startTls(Job job, SmtpSession session, SmtpTls.Effective policy) throws SessionFailure, RetryPlaintext {
        SmtpConnection conn = session.connection();
        Target target = session.target();
        ServerCertCheck check;
        try {
            check = tls.handshake(conn, target, policy);
        } catch (IOException e) {
            conn.close();
            log.info("%s", TlsLog.connectError(target.relay(), "-1"));
            log.warning("TLS library problem: %s", e.getMessage() == null ? e.toString() : e.getMessage());
            long queued = Duration.between(job.request.arrival(), job.request.activeSince()).toSeconds();
            if (policy.level() == TlsPolicy.Level.MAY && queued >= minimalBackoff()) {
                // Postfix retries a message that already waited in plaintext, else defers (PREACTIVE_DELAY)
                log.info("%s: Cannot start TLS: handshake failure", job.request.queueId());
                throw new RetryPlaintext();
            }
            throw new SessionFailure(DeliveryStatus.of("4.7.5", target.relay(), "Cannot start TLS: handshake failure"));
        }
        // Postfix 3.7 reports an untrusted chain at verify/secure as "not verified" too (matched implies trusted)
        if (policy.level().mustMatch() && !check.matched()) {
            quitQuietly(session);
            throw new SessionFailure(DeliveryStatus.of("4.7.5", target.relay(), "Server certificate not verified"));
        }
    }

    private long minimalBackoff() {
        try {
            return params.config().getTime("minimal_backoff_time");
        } catch (RuntimeException e) {
            return 300;
        }
    }

    private static String connectError(IOException e) {
        if (e instanceof SocketTimeoutException) return "Connection timed out";
        if (e instanceof NoRouteToHostException) return "No route to host";
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof ConnectException && m.toLowerCase(Locale.ROOT).contains("refused")) return "Connection refused";
        return m;
    }

    /** RSET on a cached session before reuse; a failure closes it. */
    private boolean reset(SmtpSession session) {
        if (session.isBroken() || expired(session)) {
            quit(session);
            return false;
        }
        try {
            SmtpConnection conn = session.connection();
            conn.deadline(params.millis("rset_timeout"));
            conn.command("RSET");
            if (conn.reply().positive()) return true;
        } catch (IOException e) {
            // fall through: not reusable
        }
        session.connection().close();
        return false;
    }

    private boolean expired(SmtpSession session) {
        long timeLimit = params.millis("connection_reuse_time_limit");
        int countLimit = params.integer("connection_reuse_count_limit");
        if (timeLimit > 0 && Duration.between(session.created(), Instant.now()).toMillis() >= timeLimit) return true;
        return countLimit > 0 && session.transactions() >= countLimit;
    }

    /**
     * Postfix's rule: a destination of smtp_connection_cache_destinations always; any other
     * with smtp_connection_cache_on_demand only while qmgr has a backlog for it.
     */
    private boolean cacheable(String nexthop, boolean backlog) {
        if (backlog && params.bool("connection_cache_on_demand")) return true;
        for (String d : LIST.split(params.get("connection_cache_destinations"))) {
            if (!d.isEmpty() && d.equalsIgnoreCase(nexthop)) return true;
        }
        return false;
    }

    private void release(SmtpSession session, String nexthop, boolean backlog, String destinationTlsKey) {
        // as Postfix, a TLS session goes back to the cache only with smtp_tls_connection_reuse
        boolean tlsOk = !session.tls() || tls.reuseTlsConnections();
        // a session logged in with one destination's credentials is not handed to another
        if (!session.isBroken() && !expired(session) && cacheable(nexthop, backlog) && tlsOk && !session.authenticated()) {
            cache.put(nexthop, destinationTlsKey, session);
        } else {
            quit(session);
        }
    }

    /** Ends a session politely: QUIT, and its reply unless smtp_skip_quit_response. */
    private void quit(SmtpSession session) {
        SmtpConnection conn = session.connection();
        if (!session.isBroken()) {
            try {
                conn.deadline(params.millis("quit_timeout"));
                conn.command("QUIT");
                if (params.bool("skip_quit_response")) conn.flush();
                else conn.reply();
            } catch (IOException e) {
                // the server went first
            }
        }
        conn.close();
    }

    private static void quitQuietly(SmtpSession session) {
        try {
            session.connection().deadline(5000);
            session.connection().command("QUIT");
            session.connection().flush();
        } catch (IOException e) {
            // closing anyway
        }
        session.connection().close();
    }

    // ---- the mail transaction

    /**
     * One MAIL/RCPT/DATA transaction for a batch. Returns the recipients to send again at once in
     * a new transaction (those refused with 452 "too many recipients" while others were accepted).
     */
    private List<Rcpt> transaction(Job job, SmtpSession session, List<Rcpt> batch, boolean last)
            throws SessionFailure {
        SmtpConnection conn = session.connection();
        Target target = session.target();
        Envelope env = job.envelope;
        Instant setupDone = Instant.now();
        int use = session.beginTransaction();
        int connUse = use > 1 ? use : 0;
        String encoding = env.attribute("encoding") == null ? "" : env.attribute("encoding");
        boolean eightBit = encoding.equals("8bit");
        boolean downgrade = eightBit && !session.eightBitMime() && !params.globalBool("disable_mime_output_conversion");
        long smtputf8Flags = env.size() == null ? 0 : env.size().smtputf8Flags();
        boolean utf8Needed = (smtputf8Flags & SMTPUTF8_NEEDED) != 0 || !isAscii(job.request.sender())
                || batch.stream().anyMatch(r -> !isAscii(r.recipient.address()));
        boolean utf8Requested = (smtputf8Flags & 1) != 0 || utf8Needed;

        if (utf8Needed && !session.smtputf8() && params.globalBool("smtputf8_enable")) {
            DeliveryStatus s = status(job, "5.6.7", target, "SMTPUTF8 is required, but was not offered by host "
                    + target.namaddr(), null, connUse, setupDone);
            for (Rcpt r : batch) job.report(r, s);
            return List.of();
        }
        long size = job.request.contentSize() > 0 ? job.request.contentSize()
                : env.size() == null ? 0 : env.size().contentSize();
        if (session.sizeLimit() > 0 && size > session.sizeLimit() && !downgrade) {
            DeliveryStatus s = status(job, "5.3.4", target, "message size " + size + " exceeds size limit "
                    + session.sizeLimit() + " of server " + target.namaddr(), null, connUse, setupDone);
            for (Rcpt r : batch) job.report(r, s);
            return List.of();
        }

        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(external(job.request.sender())).append('>');
        if (session.sizeLimit() >= 0 && !downgrade) mail.append(" SIZE=").append(size);
        if (session.eightBitMime()) {
            if (eightBit) mail.append(" BODY=8BITMIME");
            else if (encoding.equals("7bit")) mail.append(" BODY=7BIT");
        }
        if (utf8Requested && session.smtputf8()) mail.append(" SMTPUTF8");
        if (session.dsn()) {
            if (job.request.dsnEnvid() != null && !job.request.dsnEnvid().isEmpty()) {
                mail.append(" ENVID=").append(Xtext.encode(job.request.dsnEnvid()));
            }
            String ret = dsnRet(job.request.dsnRet());
            if (ret != null) mail.append(" RET=").append(ret);
        }
        List<String> rcptCommands = new ArrayList<>();
        for (Rcpt r : batch) rcptCommands.add(rcptCommand(session, r.recipient));

        String stage = "sending MAIL FROM";
        boolean pipelining = session.pipelining();
        Instant transmissionStart = Instant.now();
        List<Rcpt> accepted = new ArrayList<>();
        List<Rcpt> retry = new ArrayList<>();
        try {
            conn.deadline(params.millis("mail_timeout"));
            conn.command(mail.toString());
            if (pipelining) {
                for (String c : rcptCommands) conn.command(c);
                conn.command("DATA");
            }
            Reply mailReply = conn.reply();
            boolean mailOk = mailReply.positive();
            if (!mailOk) {
                DeliveryStatus s = status(job, mailReply.dsn(), target, said(target, mailReply, "MAIL FROM"),
                        mailReply, connUse, setupDone);
                for (Rcpt r : batch) job.fail(r, s, last);
            }
            stage = "sending RCPT TO";
            conn.deadline(params.millis("rcpt_timeout"));
            boolean tooMany = false;
            for (int i = 0; i < batch.size(); i++) {
                if (!pipelining) {
                    if (!mailOk) break;
                    conn.command(rcptCommands.get(i));
                }
                Reply rr = conn.reply();
                if (!mailOk) continue;
                Rcpt r = batch.get(i);
                if (rr.positive()) {
                    accepted.add(r);
                } else if (rr.code() == 452 && (tooMany || !accepted.isEmpty())) {
                    // RFC 5321 4.5.3.1.10: the rest go in a new transaction right away
                    tooMany = true;
                    retry.add(r);
                } else {
                    job.fail(r, status(job, rr.dsn(), target, said(target, rr, "RCPT TO"), rr, connUse, setupDone), last);
                }
            }
            stage = "sending DATA command";
            conn.deadline(params.millis("data_init_timeout"));
            Reply dataReply = null;
            if (pipelining) {
                dataReply = conn.reply();
            } else if (!accepted.isEmpty()) {
                conn.command("DATA");
                dataReply = conn.reply();
            }
            if (accepted.isEmpty()) {
                if (dataReply != null && dataReply.intermediate()) {
                    // a server that took DATA without recipients: send an empty message
                    conn.deadline(params.millis("data_done_timeout"));
                    conn.command(".");
                    conn.reply();
                }
                if (mailOk || pipelining) resetAfterAbort(conn);
                return retry;
            }
            if (!dataReply.intermediate()) {
                DeliveryStatus s = status(job, dataReply.dsn(), target, said(target, dataReply, "DATA"), dataReply,
                        connUse, setupDone);
                for (Rcpt r : accepted) job.fail(r, s, last);
                resetAfterAbort(conn);
                return retry;
            }
            stage = "sending message body";
            conn.deadline(params.millis("data_xfer_timeout"));
            sendContent(job, conn, downgrade);
            stage = "sending end of data -- message may be sent more than once";
            conn.deadline(params.millis("data_done_timeout"));
            if (params.lmtp()) {
                for (Rcpt r : accepted) {
                    Reply rr = conn.reply();
                    deliveryReply(job, r, rr, target, connUse, setupDone, transmissionStart, last);
                }
            } else {
                Reply rr = conn.reply();
                for (Rcpt r : accepted) deliveryReply(job, r, rr, target, connUse, setupDone, transmissionStart, last);
            }
            return retry;
        } catch (QueueFileException e) {
            log.warning("%s: %s", job.request.queueId(), e.getMessage());
            throw new SessionFailure(DeliveryStatus.of("4.3.0", target.relay(), "error reading message file"));
        } catch (IOException e) {
            throw new SessionFailure(withTimes(ioFailure(e, target, stage), connUse, setupDone, job));
        }
    }

    private void resetAfterAbort(SmtpConnection conn) throws IOException {
        conn.deadline(params.millis("rset_timeout"));
        conn.command("RSET");
        conn.reply();
    }

    private void deliveryReply(Job job, Rcpt r, Reply rr, Target target, int connUse, Instant setupDone,
                               Instant transmissionStart, boolean last) {
        if (rr.positive()) {
            job.report(r, new DeliveryStatus(rr.dsn(), target.relay(), rr.text(), protocol + "; " + rr.text(),
                    "dns; " + target.hostname(), connUse, Duration.between(job.start, setupDone),
                    Duration.between(transmissionStart, Instant.now())));
        } else {
            job.fail(r, status(job, rr.dsn(), target, said(target, rr, "end of DATA"), rr, connUse, setupDone), last);
        }
    }

    private String rcptCommand(SmtpSession session, DeliveryRecipient r) {
        StringBuilder sb = new StringBuilder("RCPT TO:<").append(external(r.address())).append('>');
        if (session.dsn()) {
            if (r.dsnOrigRcpt() != null && !r.dsnOrigRcpt().isEmpty()) {
                sb.append(" ORCPT=").append(Xtext.encode(r.dsnOrigRcpt()));
            } else if (r.originalAddress() != null && !r.originalAddress().isEmpty()) {
                sb.append(" ORCPT=").append(Xtext.encode("rfc822;" + Quote.quoteLocal(r.originalAddress())));
            }
            if (r.dsnNotify() != 0) sb.append(" NOTIFY=").append(notify(r.dsnNotify()));
        }
        return sb.toString();
    }

    /** An address in SMTP form: the local part quoted when needed; the null sender stays empty. */
    private static String external(String address) {
        return address == null || address.isEmpty() ? "" : Quote.quoteLocal(address);
    }

    /** RET= from the request: FULL or HDRS, also as the queue file's number (1 FULL, 2 HDRS); null for none. */
    static String dsnRet(String ret) {
        if (ret == null) return null;
        return switch (ret.strip().toUpperCase(Locale.ROOT)) {
            case "1", "FULL" -> "FULL";
            case "2", "HDRS" -> "HDRS";
            default -> null;
        };
    }

    /** The NOTIFY value for the queue file's bits: NEVER, or SUCCESS,DELAY,FAILURE in that order. */
    static String notify(int bits) {
        if ((bits & NOTIFY_NEVER) != 0) return "NEVER";
        List<String> out = new ArrayList<>();
        if ((bits & NOTIFY_SUCCESS) != 0) out.add("SUCCESS");
        if ((bits & NOTIFY_DELAY) != 0) out.add("DELAY");
        if ((bits & NOTIFY_FAILURE) != 0) out.add("FAILURE");
        return String.join(",", out);
    }

    private void sendContent(Job job, SmtpConnection conn, boolean downgrade) throws IOException {
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                conn.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                conn.write(b, off, len);
            }
        };
        DataWriter writer = new DataWriter(out, params.integer("line_length_limit"));
        TextSink sink = downgrade ? new MimeDowngrade(writer) : writer;
        job.queueFile.readContent((data, lineEnd) -> sink.text(data, 0, data.length, lineEnd));
        writer.finish();
        conn.flush();
    }

    // ---- status texts

    private static String said(Target target, Reply reply, String command) {
        return "host " + target.namaddr() + " said: " + reply.text() + " (in reply to " + command + " command)";
    }

    /** A rejected greeting, HELO, EHLO or LHLO, worded as Postfix does. */
    private static String refused(Target target, Reply reply) {
        return "host " + target.namaddr() + " refused to talk to me: " + reply.text();
    }

    private DeliveryStatus status(Job job, String dsn, Target target, String text, Reply reply, int connUse,
                                  Instant setupDone) {
        return new DeliveryStatus(dsn, target.relay(), text, reply == null ? null : protocol + "; " + reply.text(),
                "dns; " + target.hostname(), connUse, Duration.between(job.start, setupDone),
                Duration.between(setupDone, Instant.now()));
    }

    private SessionFailure failure(String dsn, Target target, String text, Reply reply) {
        return new SessionFailure(new DeliveryStatus(dsn, target.relay(), text,
                reply == null ? null : protocol + "; " + reply.text(), "dns; " + target.hostname(), 0,
                Duration.ZERO, Duration.ZERO));
    }

    private static DeliveryStatus ioFailure(IOException e, Target target, String stage) {
        String text = e instanceof SmtpConnection.Timeout
                ? "conversation with " + target.namaddr() + " timed out while " + stage
                : "lost connection with " + target.namaddr() + " while " + stage;
        return new DeliveryStatus("4.4.2", target.relay(), text, null, "dns; " + target.hostname(), 0,
                Duration.ZERO, Duration.ZERO);
    }

    private static DeliveryStatus withTimes(DeliveryStatus s, int connUse, Instant setupDone, Job job) {
        return new DeliveryStatus(s.dsn(), s.relay(), s.text(), s.diagnostic(), s.remoteMta(), connUse,
                Duration.between(job.start, setupDone), Duration.between(setupDone, Instant.now()));
    }

    private static boolean isAscii(String s) {
        return s == null || StandardCharsets.US_ASCII.newEncoder().canEncode(s);
    }
}
