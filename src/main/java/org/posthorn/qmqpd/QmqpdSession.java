package org.posthorn.qmqpd;

import org.posthorn.mime.MailDate;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.cleanup.CleanupException;
import org.posthorn.cleanup.Envelope;
import org.posthorn.cleanup.Origin;
import org.posthorn.cleanup.Recipient;
import org.posthorn.log.Log;

/**
 * One QMQP connection: the client sends one packet, a netstring holding the message
 * netstring, the sender netstring and one netstring per recipient; the server answers
 * with one netstring starting with {@code K} (queued), {@code Z} (try again later) or
 * {@code D} (refused). Only clients in qmqpd_authorized_clients are served. As in Postfix
 * the message is held in memory up to message_size_limit (QMQP sends it before the
 * sender); addresses are bounded by line_length_limit. Problems are answered after
 * qmqpd_error_delay, logged with Postfix's texts ({@code ... while receiving ...}).
 */
final class QmqpdSession {
    static final char OK = 'K';
    static final char RETRY = 'Z';
    static final char HARD = 'D';

    private static final DateTimeFormatter DATE = MailDate.FORMAT;

    private final QmqpdSettings settings;
    private final ClientList clients;
    private final Cleanup cleanup;
    private final Log log;
    private final Clock clock;
    private final BufferedInputStream in;
    private final OutputStream out;
    private final InetSocketAddress client;
    private final InetSocketAddress server;
    private final String name;
    private final String addr;
    private final String namaddr;
    private String queueId = "NOQUEUE";
    private String where;

    QmqpdSession(QmqpdSettings settings, ClientList clients, Cleanup cleanup, Log log, Clock clock, InputStream in,
                 OutputStream out, InetSocketAddress client, InetSocketAddress server) {
        this.settings = settings;
        this.clients = clients;
        this.cleanup = cleanup;
        this.log = log;
        this.clock = clock;
        this.in = new BufferedInputStream(in, 8192);
        this.out = new BufferedOutputStream(out, 1024);
        this.client = client;
        this.server = server;
        this.addr = client.getAddress().getHostAddress().replaceFirst("%.*$", "");
        this.name = clientName(client.getAddress(), addr);
        this.namaddr = name + "[" + addr + "]" + (settings.portLogging() ? ":" + client.getPort() : "");
    }

    /** Runs the connection to its end; never throws for anything the client does. */
    void run() {
        log.info("connect from %s", namaddr);
        String reason = null;
        try {
            switch (clients.match(name, client.getAddress())) {
                case YES -> receive();
                case NO -> reply(false, HARD, "Error: " + namaddr + " is not authorized to use this service");
                case ERROR -> reply(false, RETRY, "Error: server configuration error");
            }
        } catch (NetstringException e) {
            reason = e.kind.text;
            if (e.kind == NetstringException.Kind.FORMAT || e.kind == NetstringException.Kind.SIZE) {
                try {
                    reply(false, HARD, reason + " while " + where);
                } catch (IOException ignored) {
                    // the client is gone
                }
            }
        } catch (SocketTimeoutException e) {
            reason = NetstringException.Kind.TIMEOUT.text;
        } catch (IOException e) {
            reason = NetstringException.Kind.EOF.text;
        }
        if (reason != null && where != null) log.info("%s: %s: %s while %s", queueId, namaddr, reason, where);
        log.info("disconnect from %s", namaddr);
    }

    private void receive() throws IOException {
        Instant arrival = clock.instant();
        where = "receiving QMQP packet header";
        Netstring.readLength(in); // the packet length: the recipients end at its comma instead
        where = "receiving message content";
        byte[] message = Netstring.read(in, settings.messageSizeLimit());
        where = "receiving sender address";
        String sender = new String(Netstring.read(in, settings.lineLengthLimit()), StandardCharsets.UTF_8);
        String verpError = null;
        Verp verp = Verp.parse(sender);
        if (verp != null) {
            sender = verp.sender();
            if (!verp.valid()) verpError = "Invalid VERP delimiters: \"" + verp.delimiters()
                    + "\". Need two characters from \"-=+\"";
        }
        Cleanup.Submission sub = null;
        String failure = null;
        if (cleanup == null) {
            failure = "Error: queue file write error";
        } else {
            try {
                sub = cleanup.open(Envelope.of(sender, arrival), origin());
                queueId = sub.queueId();
                log.info("%s: client=%s", queueId, namaddr);
            } catch (CleanupException e) {
                failure = "Error: queue file write error";
            }
        }
        where = "receiving recipient address";
        int count = 0;
        String first = null;
        for (;;) {
            in.mark(1);
            if (Netstring.read(in) == ',') break;
            in.reset();
            String rcpt = new String(Netstring.read(in, settings.lineLengthLimit()), StandardCharsets.UTF_8);
            count++;
            if (first == null) first = rcpt;
            if (sub != null && failure == null) {
                try {
                    sub.addRecipient(Recipient.of(rcpt));
                } catch (CleanupException e) {
                    failure = "Error: queue file write error";
                }
            }
        }
        char status = RETRY;
        if (failure == null && verpError != null) {
            status = HARD;
            failure = "Error: " + verpError;
        } else if (failure == null && count == 0) {
            status = HARD;
            failure = "Error: no recipients specified";
        }
        if (failure == null) {
            try {
                writeContent(sub, message, count == 1 ? first : null, arrival);
                Cleanup.Result result = sub.finish();
                switch (result) {
                    case Cleanup.Result.Queued q -> queueId = q.queueId();
                    case Cleanup.Result.Rejected r -> {
                        status = r.code() >= 500 ? HARD : RETRY;
                        // cleanup's texts already read "Error: ..." (smtpd's style); Postfix adds it itself
                        failure = r.text().startsWith("Error:") ? r.text() : "Error: " + r.text();
                    }
                }
            } catch (CleanupException e) {
                failure = "Error: queue file write error";
            }
        }
        if (failure != null && sub != null) sub.abort();
        where = "sending completion status";
        if (failure == null) {
            reply(false, OK, "Ok: queued as " + queueId);
        } else {
            reply(true, status, failure);
        }
        where = null;
    }

    /** Our Received: header, then the message split into lines as Postfix's qmqpd does. */
    private void writeContent(Cleanup.Submission sub, byte[] message, String onlyRecipient, Instant arrival) throws CleanupException {
        String date = DATE.format(ZonedDateTime.ofInstant(arrival, clock.getZone()));
        String rfcAddr = addr.indexOf(':') >= 0 ? "IPv6:" + addr : addr; // RFC 5321 address literal
        sub.line("Received: from " + name + " (" + name + " [" + rfcAddr + "])");
        if (onlyRecipient != null) {
            sub.line("\tby " + settings.myhostname() + " (" + settings.mailName() + ") with QMQP id " + queueId);
            sub.line("\tfor <" + quoteLocalPart(onlyRecipient) + ">; " + date);
        } else {
            sub.line("\tby " + settings.myhostname() + " (" + settings.mailName() + ") with QMQP");
            sub.line("\tid " + queueId + "; " + date);
        }
        int limit = settings.lineLengthLimit();
        boolean first = true;
        int pos = 0;
        while (pos < message.length) {
            int end = pos;
            int stop = Math.min(message.length, pos + limit);
            while (end < stop && message[end] != '\n') end++;
            boolean newline = end < message.length && message[end] == '\n';
            int len = end - pos;
            if (first) {
                int p = pos;
                while (p < end && message[p] == '>') p++;
                if (startsWith(message, p, end, "From ")) { // an mbox separator: kept as a header
                    byte[] text = ("X-Mailbox-Line: " + new String(message, pos, len, StandardCharsets.ISO_8859_1))
                            .getBytes(StandardCharsets.ISO_8859_1);
                    sub.record(text, 0, text.length, newline || end == message.length);
                    pos = newline ? end + 1 : end;
                    continue;
                }
                first = false;
                if (len > 0 && (message[pos] == ' ' || message[pos] == '\t')) sub.record(new byte[0], 0, 0, true);
            }
            // a last line without newline is still a whole line for cleanup
            sub.record(message, pos, len, newline || end == message.length);
            pos = newline ? end + 1 : end;
        }
    }

    private static boolean startsWith(byte[] b, int from, int end, String prefix) {
        if (end - from < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) if (b[from + i] != prefix.charAt(i)) return false;
        return true;
    }

    private Origin origin() {
        return new Origin(name, addr, client.getPort(), name, null, "QMQP", null, null,
                server == null ? null : server.getAddress().getHostAddress(), server == null ? -1 : server.getPort());
    }

    /** Sends a reply; problems are optionally logged and always delayed by qmqpd_error_delay. */
    private void reply(boolean logIt, char status, String text) throws IOException {
        if (status == HARD && settings.softBounce()) status = RETRY;
        byte[] reply = (status + text).getBytes(StandardCharsets.UTF_8);
        out.write(Netstring.encode(reply));
        if (logIt) {
            if (status == OK) log.info("%s: %s: %s", queueId, namaddr, text);
            else log.warning("%s: %s: %s", queueId, namaddr, text);
        }
        if (status != OK) sleep(settings.errorDelaySeconds());
        out.flush();
    }

    private static void sleep(long seconds) {
        try {
            Thread.sleep(seconds * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The client's verified host name: the reverse name when it maps back to the address, else "unknown". */
    private static String clientName(InetAddress address, String literal) {
        try {
            String n = address.getCanonicalHostName();
            if (n.equals(address.getHostAddress()) || n.equals(literal)) return "unknown";
            for (InetAddress a : InetAddress.getAllByName(n)) if (a.equals(address)) return n;
        } catch (IOException | SecurityException e) {
            // no name
        }
        return "unknown";
    }

    /** RFC 5321 quoting of a local part that is not a dot-atom. */
    static String quoteLocalPart(String address) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        if (local.isEmpty() || local.startsWith("\"") || local.matches("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")) {
            return address;
        }
        return "\"" + local.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" + (at < 0 ? "" : address.substring(at));
    }

    /**
     * qmail's VERP request: a sender {@code prefix@origin-@[]} asks for variable envelope
     * return paths; the last character of the prefix is the first delimiter, {@code =} the second.
     */
    record Verp(String sender, String delimiters, boolean valid) {
        static Verp parse(String s) {
            if (!s.endsWith("-@[]")) return null;
            int at = s.indexOf('@');
            int originEnd = s.length() - 4;
            if (at < 2 || at - 1 >= originEnd - 2) return null; // needs a prefix and an origin
            char d = s.charAt(at - 1);
            String delims = d + "=";
            boolean valid = "-=+".indexOf(d) >= 0;
            return new Verp(s.substring(0, at - 1) + s.substring(at, originEnd), delims, valid);
        }
    }
}
