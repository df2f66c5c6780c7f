package org.posthorn.cleanup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.posthorn.address.Quote;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;
import org.posthorn.queue.RecordType;
import org.posthorn.rewrite.RewriteContext;
import org.posthorn.table.TableException;

/**
 * One message passing through cleanup(8), written to its queue file as it streams in: the
 * envelope at open and per recipient (rewritten, canonical-mapped, masqueraded, virtual
 * aliases expanded, automatic BCCs), then the content with headers parsed one at a time
 * in a buffer bounded by header_size_limit (checks, address rewriting, the headers Postfix
 * drops and adds), the body line by line (body_checks, MIME part headers), and finally the
 * extracted records. A rejected or discarded message leaves no file behind.
 */
final class CleanupSubmission implements Cleanup.Submission, SubmissionFlags {
    /** DSN NOTIFY bits as Postfix stores them (dsn_mask.h). */
    static final int NOTIFY_NEVER = 1;
    static final int NOTIFY_SUCCESS = 2;
    static final int NOTIFY_FAILURE = 4;
    static final int NOTIFY_DELAY = 8;

    private static final DateTimeFormatter MAIL_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss xx '('zzz')'", Locale.US);
    private static final DateTimeFormatter MESSAGE_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT);

    /** Where a header sits, which decides the checks that see it (header_checks(5)). */
    enum HeaderClass { PRIMARY, MULTIPART, NESTED }

    /** Where the next content line belongs. */
    private enum State { HEADERS, BODY }

    private final CleanupDaemon daemon;
    private final CleanupSettings settings;
    private final QueueFileWriter writer;
    private final Envelope envelope;
    private final Origin origin;
    private final RewriteContext context;
    private final String queueId;

    private String sender = "";
    private boolean warnTimeWritten;
    private String firstRecipient;
    private final Set<String> duplicates = new HashSet<>();
    private int qmgrFlags;

    // content state
    private State state = State.HEADERS;
    private HeaderClass headerClass = HeaderClass.PRIMARY;
    private final ByteArrayOutputStream lineBuffer = new ByteArrayOutputStream();
    private boolean lineTruncated;
    private StringBuilder pendingHeader;
    private boolean headerTruncated;
    private boolean midBodyLine;
    private long contentBytes;
    private long bodyBytes;
    private int hopCount;
    private final Set<String> seen = new HashSet<>();
    private boolean resent;
    private final MimeTracker mime;

    // outcome
    private Cleanup.Result.Rejected rejected;
    private boolean discarded;
    private boolean hold;
    private String filter;
    private String redirect;
    private final List<String> headerBcc = new ArrayList<>();
    private boolean closed;
    private boolean contentStarted;
    private boolean declared8bit;
    private String blockEncoding;
    private boolean body8bit;
    private Cleanup.Result.Rejected mimeRejected;

    CleanupSubmission(CleanupDaemon daemon, QueueFileWriter writer, Envelope envelope, Origin origin,
                      RewriteContext context) {
        this.daemon = daemon;
        this.settings = daemon.settings;
        this.writer = writer;
        this.envelope = envelope;
        this.origin = origin;
        this.context = context;
        this.queueId = writer.queueId();
        this.mime = settings.disableMimeInputProcessing() ? null
                : new MimeTracker(settings.mimeNestingLimit(), settings.mimeBoundaryLengthLimit());
    }

    @Override
    public String queueId() {
        return queueId;
    }

    @Override
    public void hold() {
        hold = true;
    }

    @Override
    public void discard() {
        discarded = true;
    }

    @Override
    public void filter(String nexthop) {
        filter = nexthop;
    }

    @Override
    public void redirect(String address) {
        redirect = address;
    }

    // ---------------------------------------------------------------- envelope

    /** T, create_time, log_ident, rewrite_context, DSN envelope attributes, S, sender BCC, client attributes. */
    void writeEnvelopeStart() throws IOException, TableException {
        writer.envelopeStart(envelope.arrival(), context.protocolName());
        if (envelope.envid() != null) writer.attribute("envelope_id", envelope.envid());
        if (envelope.ret() != null) {
            writer.attribute("ret_flags", envelope.ret().equalsIgnoreCase("FULL") ? "1" : "2");
        }
        sender = envelope.sender().isEmpty() ? "" : senderAddress(envelope.sender(), "envelope_sender");
        // as Postfix: the F record (sendmail -F) goes just before the S record
        if (envelope.fullName() != null) writer.record(RecordType.FULL, envelope.fullName());
        writer.sender(sender);
        writeVerp();
        if (!sender.isEmpty()) {
            String bcc = daemon.senderBcc.find(sender);
            if (bcc != null) addBcc(bcc);
        }
        // smtpd passes BODY= (RFC 6152) on as the encoding attribute
        if (envelopeEncoding() != null) writer.attribute("encoding", envelopeEncoding());
        // sendmail -v: qmgr reports the first delivery attempt and then kills this record
        if (envelope.traceFlags() != 0) writer.attribute("trace_flags", Integer.toString(envelope.traceFlags()));
        if (origin != null) writeOrigin();
    }

    /**
     * VERP delimiters (sendmail -V): kept as the V record after the sender, as Postfix's
     * cleanup does; ignored with Postfix's warnings for the null sender or bad delimiters.
     */
    private void writeVerp() throws IOException {
        String verp = envelope.verp();
        if (verp == null) return;
        if (sender.isEmpty()) {
            daemon.log.warning("%s: ignoring VERP request for null sender", queueId());
        } else if (!validVerpDelimiters(verp)) {
            daemon.log.warning("%s: ignoring bad VERP request: \"%.100s\"", queueId(), verp);
        } else {
            writer.record(RecordType.VERP, verp);
        }
    }

    /** Postfix's verp_delims_verify: two characters, both in verp_delimiter_filter. */
    private boolean validVerpDelimiters(String delims) {
        if (delims.length() != 2) return false;
        String filter = settings.verpDelimiterFilter();
        return filter.indexOf(delims.charAt(0)) >= 0 && filter.indexOf(delims.charAt(1)) >= 0;
    }

    private String envelopeEncoding() {
        if (envelope.body() == null) return null;
        return envelope.body().equalsIgnoreCase("8BITMIME") ? "8bit" : "7bit";
    }

    private void writeOrigin() throws IOException {
        Origin o = origin;
        if (o.clientName() != null) writer.attribute("log_client_name", o.clientName());
        if (o.clientAddress() != null) writer.attribute("log_client_address", o.clientAddress());
        if (o.clientPort() >= 0) writer.attribute("log_client_port", Integer.toString(o.clientPort()));
        if (o.clientName() != null && o.clientAddress() != null) writer.attribute("log_message_origin", o.nameAddress());
        if (o.helo() != null) writer.attribute("log_helo_name", o.helo());
        if (o.protocol() != null) writer.attribute("log_protocol_name", o.protocol());
        if (o.clientName() != null) writer.attribute("client_name", o.clientName());
        if (o.reverseName() != null) writer.attribute("reverse_client_name", o.reverseName());
        if (o.clientAddress() != null) writer.attribute("client_address", o.clientAddress());
        if (o.clientPort() >= 0) writer.attribute("client_port", Integer.toString(o.clientPort()));
        if (o.serverAddress() != null) writer.attribute("server_address", o.serverAddress());
        if (o.serverPort() >= 0) writer.attribute("server_port", Integer.toString(o.serverPort()));
        if (o.helo() != null) writer.attribute("helo_name", o.helo());
        if (o.protocol() != null) writer.attribute("protocol_name", o.protocol());
        if (o.clientAddress() != null) {
            writer.attribute("client_address_type", o.clientAddress().indexOf(':') >= 0 ? "10" : "2");
        }
        if (o.saslMethod() != null) writer.attribute("sasl_method", o.saslMethod());
        if (o.saslUsername() != null) writer.attribute("sasl_username", o.saslUsername());
    }

    @Override
    public void addRecipient(Recipient recipient) throws CleanupException {
        requireOpen();
        if (rejected != null) return;
        String raw = recipient.address();
        if (firstRecipient == null) firstRecipient = raw;
        int notify = 0;
        for (Recipient.Notify n : recipient.dsnNotify()) {
            notify |= switch (n) {
                case NEVER -> NOTIFY_NEVER;
                case SUCCESS -> NOTIFY_SUCCESS;
                case FAILURE -> NOTIFY_FAILURE;
                case DELAY -> NOTIFY_DELAY;
            };
        }
        qmgrFlags |= notify << 1;
        String orcpt = recipient.orcpt();
        // smtpd passes an ORCPT of its own making when the client gave none
        if (orcpt == null && origin != null && origin.clientAddress() != null) orcpt = "rfc822;" + raw;
        try {
            String address = recipientAddress(raw, "envelope_recipient");
            outRecipient(address, raw, orcpt, notify);
            String bcc = daemon.recipientBcc.find(address);
            if (bcc != null) addBcc(bcc);
        } catch (TableException e) {
            defer(e);
        } catch (IOException e) {
            throw writeError(e);
        }
    }

    /** Standard form, canonical mapping and masquerading of an envelope or header sender address. */
    private String senderAddress(String address, String cls) throws TableException {
        String a = daemon.rewriteInternal(RewriteContext.LOCAL, address);
        return canonicalAndMasquerade(a, daemon.senderCanonical, cls);
    }

    private String recipientAddress(String address, String cls) throws TableException {
        String a = address.isEmpty() ? address : daemon.rewriteInternal(RewriteContext.LOCAL, address);
        return canonicalAndMasquerade(a, daemon.recipientCanonical, cls);
    }

    private String canonicalAndMasquerade(String address, AddressMaps specific, String cls) throws TableException {
        String a = address;
        if (a.isEmpty()) return a;
        // sender_canonical_maps / recipient_canonical_maps first, each under its own classes, then canonical_maps
        Set<String> specificClasses = specific == daemon.senderCanonical
                ? settings.senderCanonicalClasses() : settings.recipientCanonicalClasses();
        if (specificClasses.contains(cls)) a = mapOne(specific, a);
        if (settings.canonicalClasses().contains(cls)) a = mapOne(daemon.canonical, a);
        if (settings.masqueradeClasses().contains(cls)) a = daemon.masquerade.apply(a);
        return a;
    }

    /** One canonical(5) lookup: the first address of the result in standard form, or the address itself. */
    private String mapOne(AddressMaps maps, String address) throws TableException {
        if (maps.isEmpty()) return address;
        String v = maps.find(address);
        if (v == null) return address;
        List<String> list = AddressMaps.addressList(v);
        if (list.isEmpty()) return address;
        return daemon.rewriteExternal(RewriteContext.LOCAL, list.getFirst());
    }

    /** Automatic BCC recipients: NOTIFY=NEVER, no ORCPT, through the normal recipient path. */
    private void addBcc(String value) throws IOException, TableException {
        for (String bcc : AddressMaps.addressList(value)) {
            // table results are in external form
            String address = Quote.unquoteLocal(bcc);
            outRecipient(recipientAddress(address, "envelope_recipient"), address, null, NOTIFY_NEVER);
        }
    }

    /**
     * Virtual alias expansion (virtual_alias_maps) and the writing of each resulting
     * recipient, dropping exact duplicates (same address, original, ORCPT and NOTIFY).
     */
    private void outRecipient(String address, String original, String orcpt, int notify) throws IOException, TableException {
        List<String> expanded = expandVirtual(address);
        if (expanded == null) return; // deferred
        int flags = notify;
        if (!(expanded.size() == 1 && expanded.getFirst().equalsIgnoreCase(address))) {
            // Postfix answers NOTIFY=SUCCESS at expansion ("expanded") and does not pass it on
            flags &= ~NOTIFY_SUCCESS;
        }
        for (String a : expanded) writeRecipient(a, original, orcpt, flags);
    }

    private List<String> expandVirtual(String address) throws TableException {
        List<String> argv = new ArrayList<>();
        argv.add(address);
        if (daemon.virtualAlias.isEmpty()) return argv;
        Set<String> beenHere = new HashSet<>();
        for (int arg = 0; arg < argv.size(); arg++) {
            if (argv.size() > settings.virtualAliasExpansionLimit()) {
                daemon.log.warning("%s: unreasonable virtual_alias_maps map expansion size for %s -- "
                        + "message not accepted, try again later", queueId, address);
                deferResult();
                return null;
            }
            for (int count = 0; ; count++) {
                String current = argv.get(arg);
                if (beenHere.contains(current.toLowerCase(Locale.ROOT))) break;
                if (count >= settings.virtualAliasRecursionLimit()) {
                    daemon.log.warning("%s: unreasonable virtual_alias_maps map nesting for %s -- "
                            + "message not accepted, try again later", queueId, address);
                    deferResult();
                    return null;
                }
                String value = daemon.virtualAlias.find(current);
                if (value == null) break;
                List<String> results = AddressMaps.addressList(value);
                if (results.isEmpty()) break;
                for (int i = 0; i < results.size(); i++) {
                    String r = daemon.rewriteExternal(RewriteContext.LOCAL, results.get(i));
                    if (i == 0) argv.set(arg, r);
                    else argv.add(r);
                    // an address may expand into itself once
                    if (r.equalsIgnoreCase(current)) beenHere.add(current.toLowerCase(Locale.ROOT));
                }
            }
        }
        return argv;
    }

    /**
     * delay_warning_time: Postfix's cleanup writes the W record (the time to send the delay
     * notice, %15ld) just before the first recipient, for mail with a non-null sender; qmgr
     * reads it and overwrites it with -1 once the notice went out.
     */
    private void writeWarnTime() throws IOException {
        if (warnTimeWritten) return;
        warnTimeWritten = true;
        if (sender == null || sender.isEmpty() || settings.delayWarningSeconds() <= 0) return;
        writer.record(RecordType.WARN, String.format("%15d", envelope.arrival().getEpochSecond() + settings.delayWarningSeconds()));
    }

    private void writeRecipient(String address, String original, String orcpt, int notify) throws IOException {
        String key = notify + "\n" + orcpt + "\n" + original + "\n" + address.toLowerCase(Locale.ROOT);
        if (duplicates.size() < settings.duplicateFilterLimit() || settings.duplicateFilterLimit() == 0) {
            if (!duplicates.add(key)) return;
        } else if (duplicates.contains(key)) {
            return;
        }
        writeWarnTime();
        if (notify != 0) writer.attribute("notify_flags", Integer.toString(notify));
        if (orcpt != null && !orcpt.isEmpty()) writer.attribute("dsn_orig_rcpt", orcpt);
        // Postfix 3.7's cleanup writes the original recipient whatever enable_original_recipient says
        writer.record(RecordType.ORCP, original);
        writer.record(RecordType.RCPT, address);
    }

    // ---------------------------------------------------------------- content

    @Override
    public void record(byte[] buffer, int offset, int length, boolean endOfLine) throws CleanupException {
        requireOpen();
        if (!contentStarted) startContent();
        contentBytes += length + (endOfLine ? 1 : 0);
        if (rejected != null || discarded) return;
        if (settings.messageSizeLimit() > 0 && contentBytes > settings.messageSizeLimit()) {
            reject(552, "5.3.4", "Error: message file too big");
            return;
        }
        try {
            if (state == State.HEADERS) {
                int room = settings.lineLengthLimit() * 4 + settings.headerSizeLimit() - lineBuffer.size();
                if (length <= room) lineBuffer.write(buffer, offset, length);
                else {
                    if (room > 0) lineBuffer.write(buffer, offset, room);
                    lineTruncated = true;
                }
                if (!endOfLine) return;
                String line = lineBuffer.toString(StandardCharsets.ISO_8859_1);
                lineBuffer.reset();
                lineTruncated = false;
                headerLine(line);
            } else {
                bodyRecord(buffer, offset, length, endOfLine);
            }
        } catch (IOException e) {
            throw writeError(e);
        } catch (TableException e) {
            defer(e);
        }
    }

    /** The envelope ends with the first content record (the M record). */
    private void startContent() throws CleanupException {
        contentStarted = true;
        try {
            writeWarnTime();
            writer.beginContent();
        } catch (IOException e) {
            throw writeError(e);
        }
    }

    /** One complete line while headers are being read (primary, MIME part or nested message headers). */
    private void headerLine(String line) throws IOException, TableException {
        if (pendingHeader != null && !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
            appendBounded(line);
            return;
        }
        flushHeader();
        if (rejected != null || discarded) return;
        if (isHeaderStart(line)) {
            pendingHeader = new StringBuilder(Math.min(line.length(), settings.headerSizeLimit()));
            headerTruncated = false;
            appendBounded(line);
            return;
        }
        HeaderClass ended = headerClass;
        boolean nested = endOfHeaders();
        if (rejected != null || discarded) return;
        if (ended == HeaderClass.PRIMARY && !line.isEmpty()) writeLine(""); // Postfix separates headers and body
        if (nested && line.isEmpty()) {
            writeLine(line);
            headerClass = HeaderClass.NESTED; // a message/rfc822 body: its headers follow
            return;
        }
        state = State.BODY;
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        if (ended == HeaderClass.PRIMARY) bodyRecord(b, 0, b.length, true);
        else writeRaw(b, 0, b.length, true);
    }

    private void appendBounded(String line) {
        int limit = settings.headerSizeLimit();
        if (headerTruncated) return;
        if (!pendingHeader.isEmpty()) {
            // like Postfix, a continuation line that does not fit is dropped whole, with all that follow
            if (pendingHeader.length() + 1 + line.length() > limit) {
                headerTruncated = true;
                return;
            }
            pendingHeader.append('\n');
        }
        int room = limit - pendingHeader.length();
        if (line.length() > room) {
            pendingHeader.append(line, 0, Math.max(room, 0));
            headerTruncated = true;
        } else {
            pendingHeader.append(line);
        }
    }

    /** Whether a line starts a header: a field name of printable characters, then optional white space and a colon. */
    static boolean isHeaderStart(String line) {
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ':' || c <= ' ' || c > '~') break;
            i++;
        }
        if (i == 0) return false;
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) i++;
        return i < line.length() && line.charAt(i) == ':';
    }

    private void flushHeader() throws IOException, TableException {
        if (pendingHeader == null) return;
        String header = pendingHeader.toString();
        pendingHeader = null;
        processHeader(header, headerClass);
    }

    private static String headerName(String header) {
        int colon = header.indexOf(':');
        return header.substring(0, colon).strip();
    }

    /** Header checks, the headers Postfix drops, address rewriting, and the output of one header. */
    private void processHeader(String header, HeaderClass cls) throws IOException, TableException {
        String name = headerName(header);
        String lower = name.toLowerCase(Locale.ROOT);
        boolean mimeHeader = mime != null && (lower.startsWith("content-") || lower.equals("mime-version"));
        ContentCheck check = switch (cls) {
            case PRIMARY -> mimeHeader ? daemon.mimeHeaderChecks : daemon.headerChecks;
            case MULTIPART -> daemon.mimeHeaderChecks;
            case NESTED -> mimeHeader ? daemon.mimeHeaderChecks : daemon.nestedHeaderChecks;
        };
        String output = header;
        if (!check.isEmpty()) {
            String value = check.match(header);
            if (value != null) {
                ContentCheck.Action action = ContentCheck.parse(value);
                if (action == null) {
                    daemon.log.warning("unknown command in %s map: %s", check.parameter(), value);
                } else {
                    output = act(action, "header", header, check);
                    if (rejected != null || discarded) return;
                }
            }
        }
        if (mime != null) {
            mime.header(lower, header, cls);
            if (lower.equals("content-transfer-encoding")) {
                String cte = header.substring(header.indexOf(':') + 1).strip().toLowerCase(Locale.ROOT);
                blockEncoding = cte;
                if (cte.startsWith("8bit") || cte.startsWith("binary")) declared8bit = true;
            }
        }
        if (settings.strict7bitHeaders() && has8bit(header)) {
            mimeError("improper use of 8-bit data in message header", header);
        }
        if (output == null) return; // IGNORE
        if (cls == HeaderClass.PRIMARY) {
            output = primaryHeader(output);
            if (output == null) return;
        }
        writeHeader(output);
    }

    /** Postfix's treatment of a primary header: drop list, hop count, Message-Id logging, address rewriting. */
    private String primaryHeader(String header) throws TableException {
        String name = headerName(header);
        String lower = name.toLowerCase(Locale.ROOT);
        if (settings.messageDropHeaders().contains(lower)) return null;
        if (lower.startsWith("resent-")) resent = true;
        seen.add(lower);
        if (lower.equals("received")) {
            hopCount++;
            if (hopCount >= settings.hopcountLimit()) {
                daemon.log.warning("%s: message rejected: hopcount exceeded", queueId);
                reject(554, "5.4.0", "Error: too many hops");
                return null;
            }
        }
        if (lower.equals("message-id") || lower.equals("resent-message-id")) {
            daemon.log.info("%s: %s=%s", queueId, lower, header.substring(header.indexOf(':') + 1).strip());
        }
        String cls = switch (lower) {
            case "from", "sender", "reply-to", "resent-from", "resent-sender", "resent-reply-to",
                 "errors-to", "return-receipt-to" -> "header_sender";
            case "to", "cc", "bcc", "apparently-to", "resent-to", "resent-cc", "resent-bcc" -> "header_recipient";
            default -> null;
        };
        // remote clients' headers are left alone unless remote_header_rewrite_domain is set (Postfix 2.2+)
        if (cls == null || !rewritesHeaders()) return header;
        boolean isSender = cls.equals("header_sender");
        int colon = header.indexOf(':');
        String value = header.substring(colon + 1);
        TableException[] failure = new TableException[1];
        String rewritten = HeaderAddresses.rewrite(value, address -> {
            try {
                return rewriteHeaderAddress(address, isSender, cls);
            } catch (TableException e) {
                failure[0] = e;
                return address;
            }
        });
        if (failure[0] != null) throw failure[0];
        return rewritten == value ? header : HeaderAddresses.fold(header.substring(0, colon), rewritten);
    }

    private boolean rewritesHeaders() {
        return context == RewriteContext.LOCAL || !settings.remoteHeaderRewriteDomain().isEmpty();
    }

    private String rewriteHeaderAddress(String address, boolean isSender, String cls) throws TableException {
        String a = daemon.rewrite.rewrite(context, address);
        return canonicalAndMasquerade(a, isSender ? daemon.senderCanonical : daemon.recipientCanonical, cls);
    }

    /** Performs a header_checks or body_checks action; returns the text to write instead (null: nothing). */
    private String act(ContentCheck.Action action, String where, String input, ContentCheck check) throws IOException {
        String text = action.text();
        switch (action.verb()) {
            case REJECT -> {
                String dsn = "5.7.1";
                String reason = text.isEmpty() ? "message content rejected" : text;
                if (reason.matches("[45]\\.\\d{1,3}\\.\\d{1,3}( .*)?")) {
                    int sp = reason.indexOf(' ');
                    dsn = sp < 0 ? reason : reason.substring(0, sp);
                    reason = sp < 0 ? "message content rejected" : reason.substring(sp + 1);
                }
                logAction("reject", where, input, dsn + " " + reason);
                reject(dsn.charAt(0) == '4' ? 450 : 550, dsn, reason);
                return null;
            }
            case WARN -> logAction("warning", where, input, text);
            case INFO -> logAction("info", where, input, text);
            case HOLD -> {
                if (!hold) logAction("hold", where, input, text);
                hold = true;
            }
            case DISCARD -> {
                logAction("discard", where, input, text);
                discarded = true;
                return null;
            }
            case IGNORE -> {
                return null;
            }
            case REPLACE, PREPEND -> {
                if (text.isEmpty()) {
                    daemon.log.warning("%s: %s: %s: no replacement text", queueId, check.parameter(), action.verb());
                    return input;
                }
                if (where.equals("header") && !isHeaderStart(text)) {
                    daemon.log.warning("%s: %s %s: \"%s\"; ignoring: %s", queueId, check.parameter(),
                            action.verb(), text, "not a header");
                    return input;
                }
                logAction(action.verb().name().toLowerCase(Locale.ROOT), where, input, text);
                if (action.verb() == ContentCheck.Verb.REPLACE) return text;
                if (where.equals("header")) writeHeader(text);
                else writeLine(text);
            }
            case FILTER, REDIRECT, BCC -> {
                // a redirected message is neither filtered nor copied (Postfix does not log those either)
                if (redirect != null && action.verb() != ContentCheck.Verb.REDIRECT) return input;
                boolean filterAction = action.verb() == ContentCheck.Verb.FILTER;
                if (text.indexOf(filterAction ? ':' : '@') < 0) {
                    daemon.log.warning("%s: %s: ignoring %s action without %s", queueId, check.parameter(), action.verb(),
                            filterAction ? "transport:destination" : "user@domain");
                    return input;
                }
                logAction(action.verb().name().toLowerCase(Locale.ROOT), where, input, text);
                switch (action.verb()) {
                    case FILTER -> filter = text;
                    case REDIRECT -> redirect = text;
                    default -> headerBcc.add(text);
                }
            }
            case DUNNO -> {
            }
        }
        return input;
    }

    /** {@code ID: action: header|body TEXT from client; from=<s> to=<r> proto=P helo=<h>: text}, as cleanup logs. */
    private void logAction(String action, String where, String input, String text) {
        StringBuilder b = new StringBuilder();
        b.append(queueId).append(": ").append(action).append(": ").append(where).append(' ')
                .append(printable(input.substring(0, Math.min(input.length(), 200))))
                .append(" from ").append(client())
                .append("; from=<").append(sender).append('>');
        if (firstRecipient != null) b.append(" to=<").append(firstRecipient).append('>');
        if (origin != null && origin.protocol() != null) b.append(" proto=").append(origin.protocol());
        if (origin != null && origin.helo() != null) b.append(" helo=<").append(origin.helo()).append('>');
        if (!text.isEmpty()) b.append(": ").append(text);
        daemon.log.info("%s", b.toString());
    }

    /** Control characters (the newline and TAB of a folded header too) logged as '?', as Postfix's printable(). */
    static String printable(String bytes) {
        String text = new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            b.append(c < ' ' || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }

    /** The end of a header block: missing primary headers are added; true when nested message headers follow. */
    private boolean endOfHeaders() throws IOException {
        if (headerClass == HeaderClass.PRIMARY) addMissingHeaders();
        headerClass = null;
        String encoding = blockEncoding;
        blockEncoding = null;
        body8bit = encoding != null && (encoding.startsWith("8bit") || encoding.startsWith("binary"));
        if (mime == null) return false;
        String type = mime.currentType();
        if (settings.strictMimeEncodingDomain() && type != null && encoding != null
                && (type.startsWith("multipart/") || type.startsWith("message/"))
                && !(encoding.equals("7bit") || encoding.equals("8bit") || encoding.equals("binary"))) {
            mimeError("invalid message/* or multipart/* encoding domain", encoding);
        }
        return mime.endHeaders();
    }

    /**
     * A MIME error under a strict_* setting: logged as Postfix's cleanup does, and the message
     * is refused with 5.6.0 at the end while the rest is still read (only the first error counts).
     */
    private void mimeError(String text, String input) {
        if (rejected != null || mimeRejected != null) return;
        daemon.log.info("%s: reject: mime-error %s: %s from %s; from=<%s> to=<%s>", queueId, text,
                printable(input.substring(0, Math.min(input.length(), 100))), client(), sender,
                firstRecipient == null ? "" : firstRecipient);
        mimeRejected = new Cleanup.Result.Rejected(550, "5.6.0", text);
    }

    private static boolean has8bit(String text) {
        for (int i = 0; i < text.length(); i++) if (text.charAt(i) > 0x7f) return true;
        return false;
    }

    private String client() {
        return origin != null && origin.clientAddress() != null ? origin.nameAddress() : "local";
    }

    /** From:, Date:, Message-Id: (Resent- versions when Resent- headers exist) and To: when configured. */
    private void addMissingHeaders() throws IOException {
        boolean add = rewritesHeaders() || settings.alwaysAddMissingHeaders();
        String prefix = resent ? "Resent-" : "";
        String lowerPrefix = prefix.toLowerCase(Locale.ROOT);
        if (!seen.contains(lowerPrefix + "message-id") && add) {
            String id = "<" + MESSAGE_ID_TIME.format(daemon.clock.instant().atZone(ZoneOffset.UTC)) + "."
                    + queueId + "@" + settings.myhostname() + ">";
            writeHeader(prefix + "Message-Id: " + id);
            daemon.log.info("%s: %smessage-id=%s", queueId, lowerPrefix, id);
            if (resent && !seen.contains("message-id")) daemon.log.info("%s: message-id=<>", queueId);
        } else if (!seen.contains("message-id")) {
            daemon.log.info("%s: message-id=<>", queueId);
        }
        if (!seen.contains(lowerPrefix + "date") && add) {
            writeHeader(prefix + "Date: " + mailDate(envelope.arrival()));
        }
        if (!seen.contains(lowerPrefix + "from") && add) {
            writeHeader(prefix + "From: " + FromHeader.value(sender, envelope.fullName(), settings.headerFromFormat()));
        }
        // undisclosed_recipients_header: only when no To: or Cc: is visible, Resent- or not
        if (!settings.undisclosedRecipientsHeader().isEmpty() && add && !seen.contains("to") && !seen.contains("cc")
                && !seen.contains("resent-to") && !seen.contains("resent-cc")) {
            writeHeader(settings.undisclosedRecipientsHeader());
        }
    }

    /** RFC 5322 date as Postfix writes it: {@code Fri, 27 Nov 2026 20:47:00 +0000 (UTC)}. */
    static String mailDate(Instant when) {
        return MAIL_DATE.format(ZonedDateTime.ofInstant(when, ZoneId.systemDefault()));
    }

    /** One body record: MIME boundaries and part headers, body_checks, then the queue file. */
    private void bodyRecord(byte[] buffer, int offset, int length, boolean endOfLine) throws IOException, TableException {
        boolean lineStart = !midBodyLine;
        midBodyLine = !endOfLine;
        // a boundary starts with "--": other lines need no String to tell
        if (lineStart && endOfLine && mime != null && length >= 2 && buffer[offset] == '-' && buffer[offset + 1] == '-') {
            String line = new String(buffer, offset, length, StandardCharsets.ISO_8859_1);
            if (mime.isBoundary(line)) {
                writeRaw(buffer, offset, length, true);
                if (mime.inPartHeaders()) {
                    state = State.HEADERS;
                    headerClass = HeaderClass.MULTIPART;
                }
                return;
            }
        }
        if (settings.strict8bitmimeBody() && !body8bit && mimeRejected == null) {
            for (int i = offset; i < offset + length; i++) {
                if (buffer[i] < 0) {
                    mimeError("improper use of 8-bit data in message body",
                            new String(buffer, offset, length, StandardCharsets.ISO_8859_1));
                    break;
                }
            }
        }
        String replacement = null;
        if (!daemon.bodyChecks.isEmpty() && bodyBytes < settings.bodyChecksSizeLimit()) {
            String line = new String(buffer, offset, length, StandardCharsets.ISO_8859_1);
            String value = daemon.bodyChecks.match(line);
            if (value != null) {
                ContentCheck.Action action = ContentCheck.parse(value);
                if (action == null) {
                    daemon.log.warning("unknown command in body_checks map: %s", value);
                } else {
                    replacement = act(action, "body", line, daemon.bodyChecks);
                    if (rejected != null || discarded) return;
                    if (replacement == null) {
                        bodyBytes += length;
                        return;
                    }
                    if (replacement.equals(line)) replacement = null;
                }
            }
        }
        bodyBytes += length;
        if (replacement != null) {
            writeLine(replacement);
        } else {
            writeRaw(buffer, offset, length, endOfLine);
        }
    }

    private void writeHeader(String header) throws IOException {
        int start = 0;
        while (true) {
            int nl = header.indexOf('\n', start);
            writeLine(nl < 0 ? header.substring(start) : header.substring(start, nl));
            if (nl < 0) break;
            start = nl + 1;
        }
    }

    private void writeLine(String line) throws IOException {
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        writer.contentLine(b, 0, b.length);
    }

    private void writeRaw(byte[] buffer, int offset, int length, boolean endOfLine) throws IOException {
        if (endOfLine) writer.contentLine(buffer, offset, length);
        else writer.contentFragment(buffer, offset, length);
    }

    // ---------------------------------------------------------------- outcome

    private void reject(int code, String dsn, String text) {
        if (rejected == null) rejected = new Cleanup.Result.Rejected(code, dsn, text);
    }

    private void deferResult() {
        reject(451, "4.3.0", "Error: queue file write error");
    }

    private void defer(TableException e) {
        daemon.log.warning("%s: %s", queueId, e.getMessage());
        deferResult();
    }

    private CleanupException writeError(IOException e) {
        daemon.log.warning("%s: queue file write error: %s", queueId, e.getMessage());
        abort();
        return new CleanupException("queue file write error", e);
    }

    @Override
    public Cleanup.Result finish() {
        requireOpen();
        try {
            if (!contentStarted) startContent();
            if (rejected == null && !discarded) {
                if (lineBuffer.size() > 0 || midBodyLine) {
                    // the content ended inside a line: end it
                    byte[] rest = lineBuffer.toByteArray();
                    lineBuffer.reset();
                    record(rest, 0, rest.length, true);
                }
                if (state == State.HEADERS && rejected == null && !discarded) {
                    flushHeader();
                    if (rejected == null && !discarded && headerClass != null) {
                        endOfHeaders();
                    }
                }
            }
            if (rejected == null && !discarded && mimeRejected != null) rejected = mimeRejected;
            if (rejected != null || discarded) {
                closed = true;
                writer.close();
                return rejected != null ? rejected : new Cleanup.Result.Queued(queueId);
            }
            writer.endContent();
            // the body encoding as cleanup concludes it: 8bit when a MIME header says so, else as declared with BODY=
            String encoding = declared8bit ? "8bit" : envelopeEncoding();
            if (encoding != null) writer.attribute("encoding", encoding);
            // REDIRECT overrides FILTER, and a redirected message gets no header BCC recipients
            if (filter != null && redirect == null) writer.record(RecordType.INSP, filter);
            if (redirect != null) writer.record(RecordType.RDR, redirect);
            if (redirect == null) for (String bcc : headerBcc) addBcc(bcc);
            if (!settings.alwaysBcc().isEmpty()) addBcc(settings.alwaysBcc());
            if (rejected != null) {
                closed = true;
                writer.close();
                return rejected;
            }
            writer.qmgrFlags(qmgrFlags);
            if (envelope.smtputf8()) writer.smtputf8Flags(1);
            if (!hold) daemon.completing(queueId, writer.envelope());
            writer.finish(hold ? QueueName.HOLD : QueueName.INCOMING);
            closed = true;
            if (hold) daemon.held();
            else daemon.queued(queueId);
            return new Cleanup.Result.Queued(queueId);
        } catch (IOException | CleanupException | TableException e) {
            daemon.log.warning("%s: queue file write error: %s", queueId, e.getMessage());
            abort();
            return new Cleanup.Result.Rejected(451, "4.3.0", "Error: queue file write error");
        }
    }

    @Override
    public void abort() {
        closed = true;
        try {
            writer.close();
        } catch (IOException e) {
            daemon.log.warning("%s: cannot remove queue file: %s", queueId, e.getMessage());
        }
    }

    private void requireOpen() {
        if (closed) throw new IllegalStateException("submission " + queueId + " is finished");
    }

}
