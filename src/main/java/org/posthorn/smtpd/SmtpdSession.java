package org.posthorn.smtpd;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.posthorn.address.Quote;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.CleanupException;
import org.posthorn.cleanup.Envelope;
import org.posthorn.cleanup.Origin;
import org.posthorn.cleanup.Recipient;
import org.posthorn.cleanup.SubmissionFlags;
import org.posthorn.flush.Flush;
import org.posthorn.log.Log;
import org.posthorn.sasl.SaslServer;

/**
 * One SMTP server dialogue, from the greeting to the disconnect, as straight sequential
 * code on the connection's (virtual) thread. Reply texts, enhanced status codes, error
 * counting and log lines follow Postfix 3.7's smtpd(8).
 */
public final class SmtpdSession {
    /** Commands that must end a pipelined group (RFC 2920 3.1, plus what Postfix adds). */
    private static final Set<String> LAST_IN_GROUP =
            Set.of("HELO", "EHLO", "XCLIENT", "STARTTLS", "AUTH", "DATA", "NOOP", "VRFY", "ETRN", "QUIT");
    /** Commands that count against smtpd_junk_command_limit. */
    private static final Set<String> JUNK = Set.of("RSET", "NOOP", "VRFY", "ETRN");
    private static final String NEUTER = " <>()\\\";@";

    private final SmtpdSettings settings;
    private final Restrictions restrictions;
    /** The recipient of the RCPT being checked, for restrictions and reject log lines. */
    private String checkedRecipient;
    private String etrnDomain;
    private Flush flush;
    /** smtpd_client_restrictions rejected the client at connect (smtpd_delay_reject = no). */
    private boolean accessDenied;
    private final Cleanup cleanup;
    private final Log log;
    private final Clock clock;
    private final SmtpInput input;
    private OutputStream output;
    private final LineBuffer line;
    private final CommandMatcher forbidden;
    private final CommandMatcher noop;

    // the client, possibly replaced by XCLIENT
    private InetAddress clientAddress;
    private String clientAddr;
    private int clientPort;
    private String clientName;
    private String reverseName;
    private boolean xclientAllowed;
    private boolean xforwardAllowed;
    private Origin.Forward forward;
    private final String serverAddr;
    private final int serverPort;

    // session state
    private String heloName;
    /** SMTP or ESMTP, from HELO/EHLO or XCLIENT PROTO. */
    private String protocol = "SMTP";
    /** Postfix's stand-alone mode (sendmail -bs): no pipelining enforcement. */
    boolean standAlone;
    private boolean pipeliningAnnounced;
    private int errorCount;
    private int junkCommands;
    private boolean illegalPipelining;
    private String where = "CONNECT";
    private final CommandCounters counters = new CommandCounters();

    // SASL (smtpd_sasl_*): the backend of this session and who logged in
    private SmtpdSasl sasl = SmtpdSasl.disabled();
    private SaslServer saslServer;
    private String saslMethod;
    private String saslUsername;
    /** The MAIL FROM AUTH= value (RFC 4954 5), as given; null when absent or "<>". */
    private String saslSender;
    private boolean saslSenderGiven;
    private LineBuffer saslLine;

    // transaction state
    private String sender;
    private long messageSize;
    private String body;
    private boolean smtputf8;
    private String ret;
    private String envid;
    private Instant arrival;
    private int recipientCount;
    private int recipientOvershoot;
    private String firstRecipient;
    private Cleanup.Submission submission;
    private ContentWriter bdatWriter;
    private boolean bdatError;

    SmtpdSession(SmtpdSettings settings, Cleanup cleanup, Log log, Clock clock, InputStream in, OutputStream out,
                 InetSocketAddress client, InetSocketAddress server, Restrictions restrictions) {
        this.settings = settings;
        this.restrictions = restrictions;
        restrictions.onWarning(this::logAction);
        this.cleanup = cleanup;
        this.log = log;
        this.clock = clock;
        this.input = new SmtpInput(in, 2048, 16384);
        this.output = new BufferedOutputStream(out, 8192);
        this.line = new LineBuffer(Math.max(settings.lineLengthLimit(), 512));
        this.forbidden = CommandMatcher.of(settings.forbiddenCommands());
        this.noop = CommandMatcher.of(settings.noopCommands());
        this.clientAddress = client.getAddress();
        this.clientAddr = hostAddress(clientAddress);
        this.clientPort = client.getPort();
        this.serverAddr = server == null ? null : hostAddress(server.getAddress());
        this.serverPort = server == null ? -1 : server.getPort();
        this.clientName = PeerName.lookup(clientAddress, settings.peernameLookup());
        this.reverseName = clientName;
        this.xclientAllowed = settings.xclientHosts().matches(clientAddress);
        this.xforwardAllowed = settings.xforwardHosts().matches(clientAddress);
        input.beforeBlock(() -> output.flush());
    }

    // ---- TLS ----

    /** The service's TLS settings and context; OFF unless {@link #useTls} was called. */
    private SmtpdTls tls = SmtpdTls.OFF;
    /** The plaintext socket that STARTTLS or wrapper mode layers TLS over. */
    private java.net.Socket rawSocket;
    /** Wraps the TLS socket's output in the session's write deadline. */
    private java.util.function.UnaryOperator<OutputStream> deadline = java.util.function.UnaryOperator.identity();
    /** The TLS session once a handshake succeeded, else null. */
    private SmtpdTls.Established tlsSession;

    /** Lets this session do TLS (STARTTLS or wrapper mode) over {@code socket}. */
    void useTls(SmtpdTls tls, java.net.Socket socket, java.util.function.UnaryOperator<OutputStream> deadline) {
        this.tls = tls;
        this.rawSocket = socket;
        this.deadline = deadline;
    }

    /** Whether the dialogue runs inside TLS now (for smtpd_tls_auth_only and AUTH). */
    public boolean tlsActive() {
        return tlsSession != null;
    }

    /** smtpd_tls_auth_only: AUTH only inside TLS. */
    boolean tlsAuthOnly() {
        return tls.authOnly;
    }

    /** The service's SASL settings (the default is SASL off). */
    void sasl(SmtpdSasl settings) {
        this.sasl = settings;
    }

    /** Runs the dialogue to its end; never throws for anything the client does. */
    public void run() {
        log.info("%s", "connect from " + nameAddr());
        try {
            dialogue();
        } catch (SocketTimeoutException e) {
            log.info("%s", "timeout after " + whereText() + " from " + nameAddr());
            try {
                sendNow("421 4.4.2 " + settings.myhostname() + " Error: timeout exceeded");
            } catch (IOException ignored) {
                // the client is gone
            }
        } catch (EOFException e) {
            log.info("%s", "lost connection after " + whereText() + " from " + nameAddr());
        } catch (InterruptedIOException e) {
            log.info("%s", "lost connection after " + whereText() + " from " + nameAddr());
        } catch (IOException e) {
            log.info("%s", "lost connection after " + whereText() + " from " + nameAddr());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            mailReset();
            if (saslServer != null) saslServer.close();
            try {
                output.flush();
            } catch (IOException ignored) {
                // the client is gone
            }
            log.info("%s", "disconnect from " + nameAddr() + counters.text());
            if (tlsSession != null) {
                try {
                    tlsSession.socket().close(); // close_notify, as Postfix's SSL_shutdown
                } catch (IOException ignored) {
                    // the client is gone
                }
            }
        }
    }

    private void dialogue() throws IOException, InterruptedException {
        if (tls.wrapperMode) {
            if (!tls.available() || rawSocket == null) {
                log.warning("%s", "Wrapper-mode request dropped from " + nameAddr()
                        + " for service smtpd. TLS context initialization failed. For details see earlier warnings in your logs.");
                return;
            }
            if (!startTls()) {
                log.info("%s", "lost connection after CONNECT from " + nameAddr());
                return;
            }
            if (!clientCertificateAccepted()) return;
        }
        if (input.pending()) {
            logImproperPipelining("CONNECT");
            if (settings.forbidUnauthPipelining()) {
                // a client that talks before the greeting gets no greeting at all (Postfix 3.7.11)
                reply("554 5.5.0 Error: SMTP protocol synchronization");
                return;
            }
        }
        Verdict.Reject denied = settings.delayReject() ? null : restrictions.check(restrictionState(), Restrictions.Stage.CLIENT);
        if (denied != null) {
            // as Postfix: the greeting is the rejection, and every command but QUIT is refused
            logReject("CONNECT", denied.reply());
            accessDenied = true;
            reply(denied.reply());
            if (denied.code() == 421 || denied.code() == 521) return;
        } else {
            reply("220 " + settings.banner());
        }
        for (;;) {
            if (errorCount >= settings.hardErrorLimit()) {
                log.info("%s", "too many errors after " + where + " from " + nameAddr());
                reply("421 4.7.0 " + settings.myhostname() + " Error: too many errors");
                return;
            }
            SmtpInput.Ending ending = input.readLine(line, settings.lineLengthLimit(), false);
            if (ending == SmtpInput.Ending.CUT) {
                log.warning("%s", nameAddr() + ": request longer than " + settings.lineLengthLimit() + ": "
                        + truncate(line.latin1(), 30) + "...");
                input.skipLine();
            }
            if (ending == SmtpInput.Ending.LF && bareNewlineMode() == SmtpdSettings.BareNewline.REJECT) {
                // a command with a bare LF ends the session whatever the reject code (as 3.7.10+)
                logReject(where, "bare <LF> received");
                errorCount++;
                reply(bareNewlineReply());
                return;
            }
            if (settings.smtputf8() && !validUtf8(line)) {
                reply("500 5.5.2 Error: bad UTF-8 syntax");
                errorCount++;
                continue;
            }
            // with SMTPUTF8 the line is valid UTF-8 (checked above); without, bytes stay bytes
            String text = settings.smtputf8() ? line.utf8() : line.latin1();
            // Postfix handles the command as a C string: a NUL byte ends it
            int nul = text.indexOf('\0');
            if (nul >= 0) text = text.substring(0, nul);
            CommandLine command = CommandLine.parse(text);
            if (command.verb().isEmpty()) {
                reply("500 5.5.2 Error: bad syntax");
                errorCount++;
                continue;
            }
            if (forbidden.matches(command.verb())) {
                counters.unknown();
                nonSmtpCommand(text);
                return;
            }
            if (noop.matches(command.verb())) {
                reply("250 2.0.0 Ok");
                if (junkCommands++ > settings.junkCommandLimit()) errorCount++;
                continue;
            }
            String verb = command.verb().toUpperCase(Locale.ROOT);
            if (!counters.known(verb)) {
                counters.unknown();
                where = "UNKNOWN";
                if (isHeader(command.verb())) {
                    nonSmtpCommand(text);
                    return;
                }
                reply("500 5.5.2 Error: command not recognized");
                errorCount++;
                continue;
            }
            counters.attempted(verb);
            if (!verb.equals("BDAT") && (LAST_IN_GROUP.contains(verb) || !pipeliningAnnounced)
                    && !illegalPipelining && input.pending()) {
                logImproperPipelining(verb);
            }
            if (settings.forbidUnauthPipelining() && illegalPipelining) {
                reply("554 5.5.0 Error: SMTP protocol synchronization");
                return;
            }
            if (accessDenied && !verb.equals("QUIT")) {
                error("503 5.7.0 Error: access denied for " + nameAddr());
                errorCount++;
                continue;
            }
            if (verb.equals("VRFY") && settings.disableVrfy()) {
                reply("502 5.5.1 VRFY command is disabled");
                errorCount++;
                continue;
            }
            where = verb;
            boolean ok = switch (verb) {
                case "HELO" -> helo(command, false);
                case "EHLO" -> helo(command, true);
                case "MAIL" -> mail(command);
                case "RCPT" -> rcpt(command);
                case "DATA" -> data(command);
                case "BDAT" -> bdat(command);
                case "RSET" -> rset(command);
                case "NOOP" -> reply("250 2.0.0 Ok");
                case "VRFY" -> vrfy(command);
                case "ETRN" -> etrn(command);
                case "QUIT" -> reply("221 2.0.0 Bye");
                case "STARTTLS" -> starttls(command);
                case "AUTH" -> auth(command);
                case "XCLIENT" -> xclient(command);
                case "XFORWARD" -> xforward(command);
                default -> notAvailable();
            };
            if (ok && !uncounted) counters.succeeded(verb);
            else if (!ok) errorCount++;
            uncounted = false;
            if (JUNK.contains(verb) && junkCommands++ > settings.junkCommandLimit()) errorCount++;
            if (verb.equals("QUIT") || hangup) return;
        }
    }

    private boolean hangup;
    /** Content bytes so far while DATA or BDAT content is read, for "lost connection after DATA (N bytes)". */
    private java.util.function.LongSupplier progress;
    private long bdatBytes;
    /** BDAT's copy buffer, made at the first BDAT. */
    private byte[] chunk;
    /** Set by a command that succeeded but, as in Postfix, does not count as a success (XCLIENT). */
    private boolean uncounted;

    // ---- commands ----

    private boolean helo(CommandLine command, boolean extended) throws IOException, InterruptedException {
        if (command.args().isEmpty()) {
            return error("501 Syntax: " + (extended ? "EHLO" : "HELO") + " hostname");
        }
        mailReset();
        String previousHelo = heloName;
        heloName = sanitiseHelo(command.args().getFirst());
        if (!settings.delayReject()) {
            Verdict.Reject r = restrictions.check(restrictionState(), Restrictions.Stage.HELO);
            if (r != null) {
                logReject(extended ? "EHLO" : "HELO", r.reply());
                heloName = previousHelo;
                return rejectReply(r);
            }
        }
        // as Postfix: a HELO after EHLO leaves the protocol at ESMTP
        if (extended || !protocol.equals("ESMTP")) protocol = extended ? "ESMTP" : "SMTP";
        if (!extended) {
            pipeliningAnnounced = false;
            return reply("250 " + settings.myhostname());
        }
        List<String> lines = new ArrayList<>();
        lines.add(settings.myhostname());
        List<String> discarded = new ArrayList<>();
        addKeyword(lines, discarded, "PIPELINING", "PIPELINING");
        long limit = settings.messageSizeLimit();
        addKeyword(lines, discarded, "SIZE", limit > 0 ? "SIZE " + limit : "SIZE");
        if (isDiscarded("VRFY") || !settings.disableVrfy()) addKeyword(lines, discarded, "VRFY", "VRFY");
        addKeyword(lines, discarded, "ETRN", "ETRN");
        if (tls.available() && tlsSession == null) addKeyword(lines, discarded, "STARTTLS", "STARTTLS");
        // a discarded AUTH is still worth its "discarding EHLO keywords" log line
        List<String> mechanisms = saslActive() || sasl.enabled && isDiscarded("AUTH") && !standAlone
                && (!sasl.tlsAuthOnly || tlsActive()) ? saslMechanisms() : List.of();
        if (!mechanisms.isEmpty() && !sasl.exceptions.matches(clientAddress)) {
            addKeyword(lines, discarded, "AUTH", "AUTH " + String.join(" ", mechanisms));
            // broken_sasl_auth_clients: Outlook Express and friends look for the pre-RFC form
            if (sasl.brokenClients && !isDiscarded("AUTH")) lines.add("AUTH=" + String.join(" ", mechanisms));
        }
        if (xclientAllowed) {
            addKeyword(lines, discarded, "XCLIENT", "XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT");
        }
        if (xforwardAllowed) {
            addKeyword(lines, discarded, "XFORWARD", "XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT");
        }
        addKeyword(lines, discarded, "ENHANCEDSTATUSCODES", "ENHANCEDSTATUSCODES");
        addKeyword(lines, discarded, "8BITMIME", "8BITMIME");
        addKeyword(lines, discarded, "DSN", "DSN");
        if (settings.smtputf8()) addKeyword(lines, discarded, "SMTPUTF8", "SMTPUTF8");
        addKeyword(lines, discarded, "CHUNKING", "CHUNKING");
        pipeliningAnnounced = !discarded.contains("PIPELINING");
        if (!discarded.isEmpty() && !isDiscarded("silent-discard")) {
            log.info("%s", "discarding EHLO keywords: " + String.join(" ", discarded));
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            out.append("250").append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i));
            if (i < lines.size() - 1) out.append("\r\n");
        }
        return reply(out.toString());
    }

    private void addKeyword(List<String> lines, List<String> discarded, String keyword, String text) {
        if (isDiscarded(keyword)) discarded.add(keyword);
        else lines.add(text);
    }

    private boolean isDiscarded(String keyword) {
        for (String k : settings.discardEhloKeywords()) if (k.equalsIgnoreCase(keyword)) return true;
        return false;
    }

    private boolean mail(CommandLine command) throws IOException, InterruptedException {
        if (settings.heloRequired() && heloName == null) return error("503 5.5.1 Error: send HELO/EHLO first");
        if (tls.required() && tlsSession == null) return error("530 5.7.0 Must issue a STARTTLS command first");
        if (sender != null) return error("503 5.5.1 Error: nested MAIL command");
        if (bdatError) return error("503 5.5.1 Error: MAIL after BDAT");
        List<String> args = command.args();
        if (args.size() < 2 || !args.getFirst().equalsIgnoreCase("FROM:")) {
            return error("501 5.5.4 Syntax: MAIL FROM:<address>");
        }
        String address = CommandLine.extractAddress(args.get(1), settings.strictRfc821());
        if (address == null) {
            logIllegalAddress("MAIL", args.get(1));
            return error("501 5.1.7 Bad sender address syntax");
        }
        String newBody = null;
        boolean utf8 = false;
        String newRet = null;
        String newEnvid = null;
        for (String arg : args.subList(2, args.size())) {
            String upper = arg.toUpperCase(Locale.ROOT);
            if (upper.startsWith("BODY=")) {
                String v = upper.substring(5);
                if (!v.equals("8BITMIME") && !v.equals("7BIT")) return error("555 5.5.4 Unsupported option: " + arg);
                newBody = v;
            } else if (upper.startsWith("SIZE=")) {
                String v = arg.substring(5);
                if (v.isEmpty() || !v.chars().allMatch(Character::isDigit) || v.length() > 18) {
                    return error("501 5.5.4 Bad message size syntax");
                }
                messageSize = Long.parseLong(v);
            } else if (upper.equals("SMTPUTF8") && settings.smtputf8()) {
                utf8 = true;
            } else if ((upper.startsWith("RET=") || upper.startsWith("ENVID=")) && isDiscarded("DSN")) {
                return error("501 5.7.1 DSN support is disabled");
            } else if (upper.startsWith("RET=")) {
                String v = upper.substring(4);
                if (newRet != null || !(v.equals("FULL") || v.equals("HDRS"))) {
                    return error("501 5.5.4 Bad RET parameter syntax");
                }
                newRet = v;
            } else if (upper.startsWith("ENVID=")) {
                String v = Xtext.decode(arg.substring(6));
                if (newEnvid != null || v == null || v.isEmpty() || v.length() > 100) {
                    return error("501 5.5.4 Bad ENVID parameter syntax");
                }
                newEnvid = v;
            } else if (upper.startsWith("AUTH=")) {
                // RFC 4954 5: accepted and ignored without SASL, as Postfix does
                if (!saslActive()) continue;
                // as Postfix 3.7.11: kept as given (no xtext decoding), and not forgotten when
                // this MAIL command fails, only by RSET, HELO/EHLO or the end of the transaction
                if (saslSenderGiven) return error("503 5.5.4 Error: multiple AUTH= options");
                saslSenderGiven = true;
                String v = arg.substring(5);
                if (!v.equals("<>")) saslSender = printable(v);
            } else {
                return error("555 5.5.4 Unsupported option: " + arg);
            }
        }
        if (settings.strictSmtputf8() && !utf8 && !isAscii(address)) return error("553 5.6.7 Must declare SMTPUTF8 to send unicode address");
        if (settings.messageSizeLimit() > 0 && messageSize > settings.messageSizeLimit()) {
            String text = "552 5.3.4 Message size exceeds fixed limit";
            logReject("MAIL", text, address);
            return error(text);
        }
        if (!settings.delayReject()) {
            sender = address;
            Verdict.Reject r = restrictions.check(restrictionState(), Restrictions.Stage.SENDER);
            sender = null;
            if (r != null) {
                logReject("MAIL", r.reply(), address);
                return rejectReply(r);
            }
        }
        sender = address;
        body = newBody;
        smtputf8 = utf8;
        ret = newRet;
        envid = newEnvid;
        arrival = clock.instant();
        return reply("250 2.1.0 Ok");
    }

    private boolean rcpt(CommandLine command) throws IOException, InterruptedException {
        if (sender == null) return error("503 5.5.1 Error: need MAIL command");
        List<String> args = command.args();
        if (args.size() < 2 || !args.getFirst().equalsIgnoreCase("TO:")) {
            return error("501 5.5.4 Syntax: RCPT TO:<address>");
        }
        String address = CommandLine.extractAddress(args.get(1), settings.strictRfc821());
        if (address == null || address.isEmpty()) {
            logIllegalAddress("RCPT", args.get(1));
            return error("501 5.1.3 Bad recipient address syntax");
        }
        Set<Recipient.Notify> notify = null;
        String orcpt = null;
        for (String arg : args.subList(2, args.size())) {
            String upper = arg.toUpperCase(Locale.ROOT);
            if ((upper.startsWith("NOTIFY=") || upper.startsWith("ORCPT=")) && isDiscarded("DSN")) {
                return error("501 5.7.1 DSN support is disabled");
            } else if (upper.startsWith("NOTIFY=")) {
                Set<Recipient.Notify> n = notify == null ? parseNotify(arg.substring(7)) : null;
                if (n == null) return error("501 5.5.4 Error: Bad NOTIFY parameter syntax");
                notify = n;
            } else if (upper.startsWith("ORCPT=")) {
                String v = orcpt == null ? parseOrcpt(arg.substring(6)) : null;
                if (v == null) return error("501 5.5.4 Error: Bad ORCPT parameter syntax");
                orcpt = v;
            } else {
                return error("555 5.5.4 Unsupported option: " + arg);
            }
        }
        if (settings.strictSmtputf8() && !smtputf8 && !isAscii(address)) return error("553 5.6.7 Must declare SMTPUTF8 to send unicode address");
        if (settings.recipientLimit() > 0 && recipientCount >= settings.recipientLimit()) {
            reply("452 4.5.3 Error: too many recipients");
            return recipientOvershoot++ < settings.recipientOvershootLimit();
        }
        checkedRecipient = address;
        Verdict.Reject denied = settings.delayReject()
                ? restrictions.check(restrictionState(), Restrictions.Stage.CLIENT, Restrictions.Stage.HELO,
                        Restrictions.Stage.SENDER, Restrictions.Stage.RELAY, Restrictions.Stage.RECIPIENT)
                : restrictions.check(restrictionState(), Restrictions.Stage.RELAY, Restrictions.Stage.RECIPIENT);
        checkedRecipient = null;
        if (denied != null) {
            logReject("RCPT", denied.reply(), sender, address);
            return rejectReply(denied);
        }
        if (submission == null) {
            if (cleanup == null) return error("451 4.3.0 Error: queue file write error");
            try {
                // cleanup takes addresses in internal (unquoted) form, as Postfix's smtpd hands them over
                submission = cleanup.open(new Envelope(Quote.unquoteLocal(sender), arrival, messageSize == 0 ? -1 : messageSize,
                        body, smtputf8, ret, envid), origin());
            } catch (CleanupException e) {
                log.warning("%s", "cleanup open failed: " + e.getMessage());
                return error("451 4.3.0 Error: queue file write error");
            }
            log.info("%s", submission.queueId() + ": client=" + nameAddr() + saslLogText() + forwardLogText());
        }
        try {
            submission.addRecipient(new Recipient(Quote.unquoteLocal(address), notify == null ? Set.of() : notify,
                    orcpt != null ? orcpt : "rfc822;" + address));
        } catch (CleanupException e) {
            return error("451 4.3.0 Error: queue file write error");
        }
        recipientCount++;
        if (firstRecipient == null) firstRecipient = address;
        return reply("250 2.1.5 Ok");
    }

    private Set<Recipient.Notify> parseNotify(String value) {
        EnumSet<Recipient.Notify> set = EnumSet.noneOf(Recipient.Notify.class);
        for (String word : value.split(",", -1)) {
            Recipient.Notify n;
            try {
                n = Recipient.Notify.valueOf(word.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                log.warning("%s", "unknown DSN NOTIFY command value \"" + word + "\" in \"" + value + "\"");
                return null;
            }
            set.add(n);
        }
        if (set.contains(Recipient.Notify.NEVER) && set.size() > 1) return null;
        return set;
    }

    /** {@code type;xtext} with the address decoded; null when malformed (RFC 3461 4.2). */
    private static String parseOrcpt(String value) {
        int semi = value.indexOf(';');
        if (semi <= 0) return null;
        String type = value.substring(0, semi);
        for (char c : type.toCharArray()) if (!(Character.isLetterOrDigit(c) || c == '-')) return null;
        String addr = Xtext.decode(value.substring(semi + 1));
        if (addr == null) return null;
        return type + ";" + addr;
    }

    private boolean data(CommandLine command) throws IOException, InterruptedException {
        if (bdatWriter != null || bdatError) return error("503 5.5.1 Error: DATA after BDAT");
        if (recipientCount == 0) {
            if (sender == null) return error("503 5.5.1 Error: need RCPT command");
            return error("554 5.5.1 Error: no valid recipients");
        }
        if (!command.args().isEmpty()) return error("501 5.5.4 Syntax: DATA");
        Verdict.Reject denied = restrictions.check(restrictionState(), Restrictions.Stage.DATA);
        if (denied != null) {
            logReject("DATA", denied.reply());
            return rejectReply(denied);
        }
        ContentWriter writer = newWriter();
        applyActions();
        writeReceived();
        reply("354 End data with <CR><LF>.<CR><LF>");
        DataReader reader = new DataReader(input, line, settings.lineLengthLimit(), bareNewlineMode());
        progress = writer::size;
        reader.copyTo(writer);
        progress = null;
        where = "END-OF-MESSAGE";
        boolean rejectBare = reader.sawBareNewline() && bareNewlineMode() == SmtpdSettings.BareNewline.REJECT;
        return finishMessage(writer, rejectBare, null);
    }

    private boolean bdat(CommandLine command) throws IOException, InterruptedException {
        if (chunk == null) chunk = new byte[8192];
        List<String> args = command.args();
        long count = -1;
        boolean last = false;
        if (args.size() == 1 || args.size() == 2) {
            String n = args.getFirst();
            if (!n.isEmpty() && n.length() <= 18 && n.chars().allMatch(Character::isDigit)) count = Long.parseLong(n);
            if (args.size() == 2) last = args.get(1).equalsIgnoreCase("LAST");
        }
        if (isDiscarded("CHUNKING")) {
            // the chunk cannot be skipped reliably: Postfix hangs up
            hangup = true;
            return error("521 5.5.1 Error: command not implemented");
        }
        if (count < 0 || args.size() == 2 && !last) {
            // the chunk size is unknown, so the dialogue cannot be kept in step
            log.warning("%s", (submission != null ? submission.queueId() : "NOQUEUE")
                    + ": malformed BDAT command syntax from " + nameAddr() + ": " + truncate(command.text(), 100));
            reply("521 5.5.4 Syntax: BDAT count [LAST]");
            hangup = true;
            return false;
        }
        if (bdatError) {
            discard(count);
            if (last) bdatError = false;
            return error("551 5.0.0 Discarded " + count + " bytes after earlier error");
        }
        if (recipientCount == 0) {
            discard(count);
            bdatError = !last;
            if (sender == null) return error("503 5.5.1 Error: need RCPT command");
            return error("554 5.5.1 Error: no valid recipients");
        }
        if (bdatWriter == null) {
            Verdict.Reject denied = restrictions.check(restrictionState(), Restrictions.Stage.DATA);
            if (denied != null) {
                // the chunk is read and dropped so that the dialogue stays in step
                discard(count);
                bdatError = !last;
                logReject("BDAT", denied.reply());
                return rejectReply(denied);
            }
            bdatWriter = newWriter();
            applyActions();
            writeReceived();
        }
        long left = count;
        progress = () -> bdatBytes;
        while (left > 0) {
            int n = input.read(chunk, 0, (int) Math.min(chunk.length, left));
            bdatWriter.write(chunk, 0, n);
            bdatBytes += n;
            left -= n;
        }
        progress = null;
        // chunks past message_size_limit are still read and acknowledged; the LAST chunk gets the error
        if (!last) return reply("250 2.0.0 Ok: " + count + " bytes");
        bdatWriter.finishBytes();
        where = "END-OF-MESSAGE";
        ContentWriter writer = bdatWriter;
        boolean rejectBare = writer.sawBareNewline() && bareNewlineMode() == SmtpdSettings.BareNewline.REJECT;
        return finishMessage(writer, rejectBare, writer.size());
    }

    private void discard(long count) throws IOException {
        while (count > 0) count -= input.read(chunk, 0, (int) Math.min(chunk.length, count));
    }

    private boolean rset(CommandLine command) throws IOException, InterruptedException {
        if (!command.args().isEmpty()) return error("501 5.5.4 Syntax: RSET");
        mailReset();
        return reply("250 2.0.0 Ok");
    }

    private boolean vrfy(CommandLine command) throws IOException, InterruptedException {
        List<String> args = command.args();
        if (args.isEmpty()) return error("501 5.5.4 Syntax: VRFY address [SMTPUTF8]");
        int n = args.size();
        if (n > 1 && args.getLast().equalsIgnoreCase("SMTPUTF8")) n--;
        // Postfix joins the remaining words into one address, which then fails the syntax check
        String text = String.join(" ", args.subList(0, n));
        String address = n == 1 ? CommandLine.extractAddress(text, false) : null;
        if (address == null || address.isEmpty()) {
            logIllegalAddress("VRFY", text);
            return error("501 5.1.3 Bad recipient address syntax");
        }
        // no verify(8) lookup: the argument is echoed as Postfix does without address probes
        return reply("252 2.0.0 " + text);
    }

    private boolean etrn(CommandLine command) throws IOException, InterruptedException {
        if (settings.heloRequired() && heloName == null) return error("503 Error: send HELO/EHLO first");
        if (command.args().size() != 1) return error("500 Syntax: ETRN domain");
        if (sender != null) return error("503 Error: MAIL transaction in progress");
        String domain = command.args().getFirst();
        String name = domain.startsWith("@") || domain.startsWith("#") ? domain.substring(1) : domain;
        // RFC 1985 names a domain; Postfix also takes an address literal in []
        if (!org.posthorn.address.Hostnames.validHostname(name) && !org.posthorn.address.Hostnames.validMailhostLiteral(name)) {
            return error("501 Error: invalid parameter syntax");
        }
        etrnDomain = name;
        Verdict.Reject denied = settings.delayReject()
                ? restrictions.check(restrictionState(), Restrictions.Stage.CLIENT, Restrictions.Stage.HELO,
                        Restrictions.Stage.ETRN)
                : restrictions.check(restrictionState(), Restrictions.Stage.ETRN);
        etrnDomain = null;
        if (denied != null) {
            logReject("ETRN", denied.reply());
            return rejectReply(denied);
        }
        if (standAlone) {
            log.warning("%s", "do not use ETRN in \"sendmail -bs\" mode");
            return error("458 Unable to queue messages");
        }
        // RFC 1985: 459 when the server refuses, 458 when it cannot queue
        Flush.Status status = flush == null ? Flush.Status.FAIL : flush.sendSite(name);
        switch (status) {
            case OK -> {
                return reply("250 Queuing started");
            }
            case DENY -> {
                log.warning("%s", "reject: ETRN " + cut100(name) + "... from " + nameAddr());
                return error("459 <" + name + ">: service unavailable");
            }
            case BAD -> log.warning("%s", "bad ETRN " + cut100(name) + "... from " + nameAddr());
            case FAIL -> log.warning("%s", "unable to talk to fast flush service");
        }
        return error("458 Unable to queue messages");
    }

    private static String cut100(String s) {
        return s.length() > 100 ? s.substring(0, 100) : s;
    }

    /** The fast flush service ETRN asks (null: none, ETRN answers 458). */
    void flush(Flush flush) {
        this.flush = flush;
    }

    /**
     * XCLIENT (Postfix XCLIENT_README): an authorised proxy replaces the client's name,
     * address, port, HELO and protocol; the session starts over with a new greeting. Like
     * Postfix, a successful XCLIENT is not counted as a successful command.
     */
    private boolean xclient(CommandLine command) throws IOException, InterruptedException {
        if (command.args().isEmpty()) return error("501 5.5.4 Syntax: XCLIENT attribute=value...");
        if (sender != null) return error("503 5.5.1 Error: MAIL transaction in progress");
        if (!xclientAllowed) return error("550 5.7.0 Error: insufficient authorization");
        var outcome = ClientAttributes.xclient(command.args(), new ClientAttributes.Client(clientName, reverseName,
                clientAddr, clientAddress, clientPort, heloName, null));
        if (outcome.error() != null) return error(outcome.error());
        ClientAttributes.Client c = outcome.value();
        clientName = c.name();
        reverseName = c.reverseName();
        clientAddr = c.address();
        clientAddress = c.inet();
        clientPort = c.port();
        // the session starts over as if the proxied client had just connected
        mailReset();
        heloName = c.helo();
        protocol = c.protocol() != null ? c.protocol() : "SMTP";
        pipeliningAnnounced = false;
        // as Postfix 3.7: XCLIENT permission follows the new address, XFORWARD's stays
        xclientAllowed = settings.xclientHosts().matches(clientAddress);
        uncounted = true;
        return reply("220 " + settings.banner());
    }

    /**
     * XFORWARD (Postfix XFORWARD_README): an authorised content filter tells who the
     * original client was; the attributes are kept for the next transaction and logged as
     * {@code orig_client=} and {@code orig_queue_id=}.
     */
    private boolean xforward(CommandLine command) throws IOException, InterruptedException {
        if (command.args().isEmpty()) return error("501 5.5.4 Syntax: XFORWARD attribute=value...");
        if (sender != null) return error("503 5.5.1 Error: MAIL transaction in progress");
        if (!xforwardAllowed) return error("550 5.7.0 Error: insufficient authorization");
        var outcome = ClientAttributes.xforward(command.args(), forward);
        if (outcome.error() != null) return error(outcome.error());
        forward = outcome.value();
        return reply("250 2.0.0 Ok");
    }

    // ---- AUTH (RFC 4954, Postfix's smtpd_sasl_glue) ----

    /** SASL is on for this session: enabled, not discarded from EHLO, and inside TLS when smtpd_tls_auth_only. */
    private boolean saslActive() {
        return sasl.enabled && !standAlone && !isDiscarded("AUTH") && (!sasl.tlsAuthOnly || tlsActive());
    }

    /** The mechanisms this session offers; empty (with a warning) when the backend cannot be reached. */
    private List<String> saslMechanisms() {
        try {
            if (saslServer == null) saslServer = sasl.newServer(log);
            List<String> names = sasl.offered(saslServer, tlsActive());
            if (names.isEmpty()) log.warning("%s", "no SASL authentication mechanisms");
            return names;
        } catch (SmtpdSasl.UnsupportedTypeException e) {
            log.warning("%s", e.getMessage());
            return List.of();
        } catch (IOException e) {
            log.warning("%s", "SASL: Connect to " + sasl.path() + " failed: " + e.getMessage());
            closeSaslServer();
            return List.of();
        }
    }

    private void closeSaslServer() {
        if (saslServer != null) saslServer.close();
        saslServer = null;
    }

    private boolean auth(CommandLine command) throws IOException, InterruptedException {
        if (!saslActive()) return error("503 5.5.1 Error: authentication not enabled");
        if (sender != null) return error("503 5.5.1 Error: MAIL transaction in progress");
        if (saslUsername != null) return error("503 5.5.1 Error: already authenticated");
        List<String> args = command.args();
        if (args.isEmpty() || args.size() > 2) return error("501 5.5.4 Syntax: AUTH mechanism");
        String mechanism = args.getFirst();
        String initial = args.size() == 2 ? args.get(1) : null;
        List<String> offered = saslMechanisms();
        if (offered.isEmpty() && (saslServer != null || !sasl.typeSupported())) {
            return error("503 5.5.1 Error: authentication not enabled");
        }
        if (offered.isEmpty()) {
            return authFailed(mechanism, new SaslServer.Step.Failure("Connection lost to authentication server", null, true));
        }
        if (offered.stream().noneMatch(m -> m.equalsIgnoreCase(mechanism))) {
            return authFailed(mechanism, new SaslServer.Step.Failure("Invalid authentication mechanism", null, false));
        }
        SaslServer.Peer peer = new SaslServer.Peer(clientAddr, clientPort, serverAddr, serverPort, tlsActive(), sasl.service);
        SaslServer.Step step;
        try {
            step = saslServer.start(mechanism, initial, peer);
            while (step instanceof SaslServer.Step.Challenge c) {
                reply("334 " + c.base64());
                // responses may be longer than commands: smtpd_sasl_response_limit, in a buffer of their own
                if (saslLine == null) saslLine = new LineBuffer(sasl.responseLimit + 1);
                SmtpInput.Ending ending = input.readLine(saslLine, sasl.responseLimit, false);
                if (ending == SmtpInput.Ending.CUT) {
                    log.warning("%s", nameAddr() + ": request longer than " + sasl.responseLimit + ": "
                            + truncate(saslLine.latin1(), 30) + "...");
                    input.skipLine();
                }
                String response = saslLine.latin1();
                if (response.equals("*")) {
                    log.warning("%s", nameAddr() + ": SASL " + mechanism + " authentication aborted");
                    return error("501 5.7.0 Authentication aborted");
                }
                step = saslServer.next(response);
            }
        } catch (IOException e) {
            if (e instanceof java.net.SocketTimeoutException || e instanceof EOFException) throw e;
            // the authentication server went away, not the client
            closeSaslServer();
            step = new SaslServer.Step.Failure("Connection lost to authentication server", null, true);
        }
        if (step instanceof SaslServer.Step.Success ok) {
            saslUsername = printable(ok.username());
            saslMethod = mechanism;
            return reply("235 2.7.0 Authentication successful");
        }
        return authFailed(mechanism, (SaslServer.Step.Failure) step);
    }

    /**
     * The failure line fail2ban's postfix-sasl filter reads (a login name is cut at 100
     * characters, as Postfix 3.7.11 logs it), and the 535 (or 454) reply.
     */
    private boolean authFailed(String mechanism, SaslServer.Step.Failure f) throws IOException, InterruptedException {
        String reason = f.reason().isEmpty() ? "(reason unavailable)" : f.reason();
        log.warning("%s", nameAddr() + ": SASL " + mechanism + " authentication failed: " + reason + ", sasl_username="
                + (f.username() != null ? truncate(printable(f.username()), 100) : "(unavailable)"));
        if (f.temporary()) return error("454 4.7.0 Temporary authentication failure: " + reason);
        return error("535 5.7.8 Error: authentication failed: " + reason);
    }

    /** {@code , sasl_method=PLAIN, sasl_username=u[, sasl_sender=<s>]} for the client= line. */
    private String saslLogText() {
        if (saslUsername == null) return "";
        return ", sasl_method=" + saslMethod + ", sasl_username=" + saslUsername
                + (saslSender != null ? ", sasl_sender=" + saslSender : "");
    }

    /** Non-printable characters become '?', as Postfix's printable() does for names it logs. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return out.toString();
    }

    private void logIllegalAddress(String command, String argument) {
        // Postfix complains only about what it took for an address: no warning for "<a@b" (3.7.11)
        if (argument.startsWith("<") && !argument.endsWith(">")) return;
        log.warning("%s", "Illegal address syntax from " + nameAddr() + " in " + command + " command: " + argument);
    }

    /** STARTTLS (RFC 3207), with Postfix's replies and its checks in Postfix's order. */
    private boolean starttls(CommandLine command) throws IOException, InterruptedException {
        if (!command.args().isEmpty()) return error("501 5.5.4 Syntax: STARTTLS");
        if (tlsSession != null) return error("554 5.5.1 Error: TLS already active");
        if (tls.level == SmtpdTls.Level.NONE || isDiscarded("STARTTLS")) return notAvailable();
        if (!tls.available() || rawSocket == null) return error("454 4.7.0 TLS not available due to local problem");
        reply("220 2.0.0 Ready to start TLS");
        output.flush();
        if (!startTls()) {
            log.info("%s", "lost connection after STARTTLS from " + nameAddr());
            hangup = true;
            return false;
        }
        // a refused client certificate ends the session, but the STARTTLS itself succeeded (as Postfix counts it)
        if (!clientCertificateAccepted()) hangup = true;
        return true;
    }

    /**
     * The handshake, then the TLS streams in place of the plaintext ones. Plaintext that the
     * client pipelined behind STARTTLS is dropped unread (CVE-2011-0411), and the session
     * forgets HELO and any transaction (RFC 3207 4.2). False when the handshake failed.
     */
    private boolean startTls() throws IOException {
        input.switchTo(java.io.InputStream.nullInputStream());
        SmtpdTls.Established established;
        try {
            established = tls.handshake(rawSocket);
        } catch (IOException | RuntimeException e) {
            log.info("%s", org.posthorn.tls.TlsLog.acceptError(nameAddr(),
                    e instanceof EOFException || e instanceof java.net.SocketException ? "lost connection" : "-1"));
            if (e.getMessage() != null && !(e instanceof EOFException)) {
                log.warning("%s", "TLS library problem: " + e.getMessage());
            }
            return false;
        }
        tlsSession = established;
        input.switchTo(established.socket().getInputStream());
        output = new BufferedOutputStream(deadline.apply(established.socket().getOutputStream()), 8192);
        if (tls.logLevel >= 1) {
            log.info("%s", org.posthorn.tls.TlsLog.establishedFrom(established.trust(), nameAddr(), established.summary()));
        }
        mailReset();
        heloName = null;
        // the protocol stays: a HELO after STARTTLS that follows EHLO still says ESMTPS, as in Postfix
        pipeliningAnnounced = false;
        // as Postfix: SASL starts over inside TLS, with smtpd_sasl_tls_security_options
        saslUsername = null;
        saslMethod = null;
        return true;
    }

    /**
     * smtpd_tls_req_ccert (at level encrypt): without a trusted client certificate the
     * session ends with 421, logged as Postfix 3.7 logs it. False when it ended.
     */
    private boolean clientCertificateAccepted() {
        SmtpdTls.Established established = tlsSession;
        if (!tls.reqCcert || established.trusted()) return true;
        String why;
        if (established.peer() == null) {
            why = "No client certificate presented";
        } else {
            log.info("%s", "certificate verification failed for " + nameAddr() + ": " + established.verifyFailure());
            why = "Client certificate not trusted";
        }
        log.info("%s", "NOQUEUE: abort: TLS from " + nameAddr() + ": " + why);
        try {
            sendNow("421 4.7.1 " + settings.myhostname() + " Error: " + why);
        } catch (IOException ignored) {
            // the client is gone
        }
        return false;
    }

    private boolean notAvailable() throws IOException, InterruptedException {
        return error("502 5.5.1 Error: command not implemented");
    }

    // ---- message completion ----

    private ContentWriter newWriter() {
        Cleanup.Submission s = submission;
        return new ContentWriter(s::record, settings.messageSizeLimit(), settings.lineLengthLimit());
    }

    private void writeReceived() {
        List<String> lines = ReceivedHeader.lines(heloName != null ? heloName : clientName, clientName, rfcAddr(),
                settings.myhostname(), settings.mailName(), protocol(), submission.queueId(),
                recipientCount == 1 ? firstRecipient : null, arrival, clock.getZone());
        if (tlsSession != null) {
            List<String> withTls = new ArrayList<>(lines);
            withTls.addAll(1, tls.receivedLines(tlsSession));
            lines = withTls;
        }
        if (sasl.authenticatedHeader && saslUsername != null) {
            // smtpd_sasl_authenticated_header: the login name, just before the "by" line
            lines = new ArrayList<>(lines);
            int by = 1;
            while (by < lines.size() && !lines.get(by).startsWith("\tby ")) by++;
            lines.add(by, "\t(Authenticated sender: " + saslUsername + ")");
        }
        try {
            for (String l : lines) submission.line(l);
        } catch (CleanupException e) {
            // reported at the end of the message as a write error
            writeFailed = true;
        }
    }

    private boolean writeFailed;

    /**
     * Hands what access tables asked for in this transaction to cleanup, as Postfix does
     * when the content starts: HOLD, DISCARD, FILTER and REDIRECT as submission flags, BCC
     * as an extra recipient that gets no DSN, PREPEND as a header before Received:.
     */
    private void applyActions() {
        try {
            for (Restrictions.Action a : restrictions.actions()) {
                SubmissionFlags flags = submission instanceof SubmissionFlags f ? f : null;
                switch (a.kind()) {
                    case "HOLD" -> {
                        if (flags != null) flags.hold();
                    }
                    case "DISCARD" -> {
                        if (flags != null) flags.discard();
                    }
                    case "FILTER" -> {
                        if (flags != null) flags.filter(a.value());
                    }
                    case "REDIRECT" -> {
                        if (flags != null) flags.redirect(a.value());
                    }
                    case "BCC" -> submission.addRecipient(new Recipient(a.value(), Set.of(Recipient.Notify.NEVER),
                            "rfc822;" + a.value()));
                    case "PREPEND" -> submission.line(a.value());
                    default -> { }
                }
            }
        } catch (CleanupException e) {
            writeFailed = true;
        }
        restrictions.resetActions();
    }

    /** Commits or drops the message after its content and sends the final reply. */
    private boolean finishMessage(ContentWriter writer, boolean bareNewline, Long bdatTotal)
            throws IOException, InterruptedException {
        String failure = null;
        Verdict.Reject denied = null;
        if (!bareNewline && !writer.tooBig() && writer.failure() == null && !writeFailed) {
            denied = restrictions.check(restrictionState(), Restrictions.Stage.END_OF_DATA);
        }
        if (denied != null) {
            logReject("END-OF-MESSAGE", denied.reply());
            failure = denied.reply();
            if (denied.code() == 421 || denied.code() == 521) hangup = true;
        } else if (bareNewline) {
            logReject("END-OF-MESSAGE", "bare <LF> received");
            failure = bareNewlineReply();
            int code = settings.bareNewlineRejectCode();
            if (code == 521 || code == 421) hangup = true;
        } else if (writer.tooBig()) {
            log.warning("%s", submission.queueId() + ": queue file size limit exceeded");
            failure = "552 5.3.4 Error: message file too big";
        } else if (writer.failure() != null || writeFailed) {
            failure = "451 4.3.0 Error: queue file write error";
        }
        String success = null;
        if (failure == null) {
            Cleanup.Result result = submission.finish();
            submission = null;
            switch (result) {
                case Cleanup.Result.Queued q -> success = bdatTotal != null
                        ? "250 2.0.0 Ok: " + bdatTotal + " bytes queued as " + q.queueId()
                        : "250 2.0.0 Ok: queued as " + q.queueId();
                case Cleanup.Result.Rejected r -> failure = r.reply();
            }
        }
        mailReset();
        if (success != null) {
            errorCount = 0;
            junkCommands = 0;
            return reply(success);
        }
        return error(failure);
    }

    /** {@code , orig_queue_id=ID, orig_client=name[addr]} from XFORWARD, as Postfix logs it. */
    private String forwardLogText() {
        if (forward == null) return "";
        StringBuilder out = new StringBuilder();
        if (forward.ident() != null) out.append(", orig_queue_id=").append(forward.ident());
        if (forward.name() != null || forward.address() != null) {
            out.append(", orig_client=").append(forward.name() != null ? forward.name() : "unknown")
                    .append('[').append(forward.address() != null ? forward.address() : "unknown").append(']');
        }
        return out.toString();
    }

    /** Sends a restriction's reject; 421 and 521 also end the session (access(5)). */
    private boolean rejectReply(Verdict.Reject r) throws IOException, InterruptedException {
        if (r.code() == 421 || r.code() == 521) hangup = true;
        return error(r.reply());
    }

    /** The session as the restrictions see it. */
    private Restrictions.State restrictionState() {
        return new Restrictions.State() {
            @Override
            public String clientName() {
                return clientName;
            }

            @Override
            public String clientAddress() {
                return clientAddr;
            }

            @Override
            public InetAddress clientInetAddress() {
                return clientAddress;
            }

            @Override
            public String helo() {
                return heloName;
            }

            @Override
            public String sender() {
                return sender;
            }

            @Override
            public String recipient() {
                return checkedRecipient;
            }

            @Override
            public boolean illegalPipelining() {
                return illegalPipelining;
            }

            @Override
            public int recipientCount() {
                return recipientCount;
            }

            @Override
            public String reverseName() {
                return reverseName;
            }

            @Override
            public String etrnDomain() {
                return etrnDomain;
            }

            @Override
            public String saslUsername() {
                return saslUsername;
            }

            @Override
            public List<String> ccertFingerprints() {
                SmtpdTls.Established t = tlsSession;
                return t == null || t.peer() == null ? List.of() : List.of(t.certFingerprint(), t.keyFingerprint());
            }

            @Override
            public boolean ccertTrusted() {
                return tlsSession != null && tlsSession.trusted();
            }
        };
    }

    private String bareNewlineReply() {
        return settings.bareNewlineRejectCode() + " 5.5.2 " + settings.myhostname() + " Error: bare <LF> received";
    }

    /**
     * Postfix's reject log line: {@code QUEUEID: reject: STAGE from name[addr]: text; from=<s> to=<r>
     * proto=ESMTP helo=<h>}, with NOQUEUE before a queue file exists and the from/to/helo parts
     * only when known.
     */
    private void logReject(String stage, String text) {
        logReject(stage, text, sender);
    }

    private void logReject(String stage, String text, String from) {
        // as Postfix: to=<> only while the transaction has exactly one recipient
        logReject(stage, text, from, recipientCount == 1 ? firstRecipient : null);
    }

    private void logReject(String stage, String text, String from, String to) {
        logEvent("reject", stage, text, from, to);
    }

    /** reject_warning, hold, discard, ... lines from the restrictions ("kind:text"), logged like rejects. */
    private void logAction(String kindAndText) {
        int colon = kindAndText.indexOf(':');
        String to = checkedRecipient != null ? checkedRecipient : firstRecipient;
        logEvent(kindAndText.substring(0, colon), where, kindAndText.substring(colon + 1), sender, to);
    }

    private void logEvent(String kind, String stage, String text, String from, String to) {
        StringBuilder out = new StringBuilder();
        out.append(submission != null ? submission.queueId() : "NOQUEUE").append(": ").append(kind).append(": ")
                .append(stage)
                .append(" from ").append(nameAddr()).append(": ").append(soften(text)).append(';');
        if (from != null) out.append(" from=<").append(from).append('>');
        if (to != null) out.append(" to=<").append(to).append('>');
        out.append(" proto=").append(protocol);
        if (heloName != null) out.append(" helo=<").append(heloName).append('>');
        log.info("%s", out.toString());
    }

    private void abortTransaction() {
        if (submission != null) submission.abort();
        submission = null;
    }

    /** Back to the state right after HELO/EHLO (Postfix mail_reset + rcpt_reset). */
    private void mailReset() {
        abortTransaction();
        restrictions.resetActions();
        sender = null;
        messageSize = 0;
        body = null;
        smtputf8 = false;
        ret = null;
        envid = null;
        recipientCount = 0;
        recipientOvershoot = 0;
        firstRecipient = null;
        bdatWriter = null;
        bdatBytes = 0;
        bdatError = false;
        writeFailed = false;
        forward = null;
        saslSender = null;
        saslSenderGiven = false;
    }

    private Origin origin() {
        // the queue file's protocol_name stays ESMTP with SMTPUTF8; only Received: says UTF8SMTP (3.7.11)
        return new Origin(clientName, clientAddr, clientPort, reverseName, heloName, protocol, saslMethod, saslUsername,
                serverAddr, serverPort, forward, restrictions.headerRewriteContext(restrictionState()));
    }

    /** The protocol name for the Received: header: UTF8SMTP when the client used SMTPUTF8 (RFC 6531). */
    private String protocol() {
        String p = smtputf8 && protocol.equals("ESMTP") ? "UTF8SMTP" : protocol;
        // RFC 3848: ESMTPS inside TLS, ESMTPA (ESMTPSA) after AUTH; Postfix leaves HELO's SMTP without the A
        if (tlsSession != null) p += "S";
        return saslUsername != null && !protocol.equals("SMTP") ? p + "A" : p;
    }

    // ---- replies ----

    private boolean error(String text) throws IOException, InterruptedException {
        reply(text);
        return false;
    }

    /** Sends a reply (buffered until the next read would block), with Postfix's tarpit delay. */
    private boolean reply(String text) throws IOException, InterruptedException {
        text = withFooter(soften(text));
        // Postfix 2.1+: past smtpd_soft_error_limit every reply waits smtpd_error_sleep_time
        if (errorCount >= settings.softErrorLimit() && settings.errorSleepSeconds() > 0) {
            output.flush();
            Thread.sleep(settings.errorSleepSeconds() * 1000L);
        }
        output.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /**
     * smtpd_reject_footer after a 4xx or 5xx reply: "\\n" breaks it into lines that repeat
     * the reply code and enhanced code; a leading "\\c" appends it to the reply's last line.
     */
    private String withFooter(String text) {
        String footer = settings.rejectFooter();
        if (footer.isEmpty() || text.length() < 4 || (text.charAt(0) != '4' && text.charAt(0) != '5')
                || text.indexOf('\n') >= 0) {
            return text;
        }
        String code = text.substring(0, 3);
        String rest = text.substring(4);
        String dsn = "";
        int sp = rest.indexOf(' ');
        if (sp > 0 && rest.substring(0, sp).matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) dsn = rest.substring(0, sp + 1);
        List<String> lines = new ArrayList<>();
        lines.add(rest.substring(dsn.length()));
        boolean glue = footer.startsWith("\\c");
        String[] parts = (glue ? footer.substring(2) : footer).split("\\\\n", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i == 0 && glue) lines.set(0, lines.getFirst() + parts[0]);
            else lines.add(parts[i]);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) out.append("\r\n");
            out.append(code).append(i == lines.size() - 1 ? ' ' : '-').append(dsn).append(lines.get(i));
        }
        return out.toString();
    }

    /** soft_bounce: a 5xx reply becomes 4xx, and its 5.x.x enhanced code 4.x.x (replies and reject logs). */
    private String soften(String text) {
        if (!settings.softBounce() || !text.startsWith("5") || text.length() < 4 || text.charAt(3) != ' ') return text;
        boolean dsn = text.length() > 5 && text.charAt(4) == '5' && text.charAt(5) == '.';
        return "4" + text.substring(1, 4) + (dsn ? "4" + text.substring(5) : text.substring(4));
    }

    private void sendNow(String text) throws IOException {
        output.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        output.flush();
    }

    private void nonSmtpCommand(String text) throws IOException, InterruptedException {
        log.warning("%s", "non-SMTP command from " + nameAddr() + ": " + truncate(text, 100));
        reply("221 2.7.0 Error: I can break rules, too. Goodbye.");
    }

    private void logImproperPipelining(String after) {
        // sendmail -bs: a script piping a whole dialogue is no protocol violation (Postfix 3.7.11 logs nothing)
        if (standAlone) return;
        illegalPipelining = true;
        log.info("%s", "improper command pipelining after " + after + " from " + nameAddr() + ": "
                + escape(input.peek(100)));
    }

    // ---- helpers ----

    private SmtpdSettings.BareNewline bareNewlineMode() {
        return settings.bareNewlineExclusions().matches(clientAddress) ? SmtpdSettings.BareNewline.NO : settings.bareNewline();
    }

    /** The stage for lost-connection and timeout lines: {@code DATA (14 bytes)} inside content, as Postfix 3.7. */
    private String whereText() {
        return progress == null ? where : where + " (" + progress.getAsLong() + " bytes)";
    }

    /** name[addr] as log lines name the client; name[addr]:port with smtpd_client_port_logging. */
    String nameAddr() {
        return clientName + "[" + clientAddr + "]" + (settings.clientPortLogging() ? ":" + clientPort : "");
    }

    private String rfcAddr() {
        return clientAddress instanceof Inet6Address ? "IPv6:" + clientAddr : clientAddr;
    }

    static String hostAddress(InetAddress a) {
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        return pct >= 0 ? s.substring(0, pct) : s;
    }

    /** HELO text as Postfix keeps it: non-printables and specials become '?', at most 255 characters. */
    static String sanitiseHelo(String helo) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < helo.length() && out.length() < 255; i++) {
            char c = helo.charAt(i);
            out.append(c < 0x20 || c == 0x7f || NEUTER.indexOf(c) >= 0 ? '?' : c);
        }
        return out.toString();
    }

    private static boolean isHeader(String word) {
        if (word.length() < 2 || !word.endsWith(":")) return false;
        for (int i = 0; i < word.length() - 1; i++) {
            char c = word.charAt(i);
            if (c <= ' ' || c >= 127) return false;
        }
        return true;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }

    private static boolean validUtf8(LineBuffer line) {
        boolean ascii = true;
        for (int i = 0; i < line.length(); i++) {
            if (line.at(i) < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) return true;
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line.array(), 0, line.length()));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n);
    }

    /** Input as Postfix's escape() shows it in a log line: C escapes for controls. */
    static String escape(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c >= 0x7f) out.append(String.format("\\%03o", c));
                    else out.append((char) c);
                }
            }
        }
        return out.toString();
    }
}
