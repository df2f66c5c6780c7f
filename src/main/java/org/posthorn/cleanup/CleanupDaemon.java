package org.posthorn.cleanup;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;
import org.posthorn.table.TableException;

/**
 * cleanup(8): the implementation of the {@link Cleanup} seam. It holds what every message
 * shares (settings, the opened canonical, virtual, bcc and content-check tables, the address
 * rewriter, the queue directory and log); each {@link #open} starts a
 * {@link CleanupSubmission} writing one queue file in incoming/.
 */
public final class CleanupDaemon implements Cleanup {
    final CleanupSettings settings;
    final QueueDirectory queue;
    final Log log;
    final AddressRewriter rewriter;
    final Clock clock;
    final AddressMaps canonical;
    final AddressMaps senderCanonical;
    final AddressMaps recipientCanonical;
    final AddressMaps virtualAlias;
    final AddressMaps senderBcc;
    final AddressMaps recipientBcc;
    final Masquerade masquerade;
    final ContentCheck headerChecks;
    final ContentCheck mimeHeaderChecks;
    final ContentCheck nestedHeaderChecks;
    final ContentCheck bodyChecks;

    /**
     * Builds the daemon from main.cf; tables are opened now so that a bad table is reported
     * once, at start.
     */
    public CleanupDaemon(Config config, QueueDirectory queue, Log log) throws TableException {
        this(config, queue, log, null, Clock.systemUTC(), TableOpener.DEFAULT);
    }

    /**
     * @param rewriter trivial-rewrite's rewrite service, or null for the built-in {@link StandardFormRewriter}
     * @param opener    how tables are opened (tests supply types the shared factory lacks)
     */
    public CleanupDaemon(Config config, QueueDirectory queue, Log log, AddressRewriter rewriter, Clock clock,
                         TableOpener opener) throws TableException {
        this.settings = CleanupSettings.from(config);
        this.queue = queue;
        this.log = log;
        this.clock = clock;
        this.rewriter = rewriter != null ? rewriter : new StandardFormRewriter(settings);
        CleanupSettings s = settings;
        this.canonical = AddressMaps.open("canonical_maps", s.canonicalMaps(), config, s, "canonical", opener);
        this.senderCanonical = AddressMaps.open("sender_canonical_maps", s.senderCanonicalMaps(), config, s, "canonical", opener);
        this.recipientCanonical = AddressMaps.open("recipient_canonical_maps", s.recipientCanonicalMaps(), config, s, "canonical", opener);
        this.virtualAlias = AddressMaps.open("virtual_alias_maps", s.virtualAliasMaps(), config, s, "virtual", opener);
        this.senderBcc = AddressMaps.open("sender_bcc_maps", s.senderBccMaps(), config, s, null, opener);
        this.recipientBcc = AddressMaps.open("recipient_bcc_maps", s.recipientBccMaps(), config, s, null, opener);
        this.masquerade = new Masquerade(s.masqueradeDomains(), s.masqueradeExceptions());
        this.headerChecks = ContentCheck.open("header_checks", s.headerChecks(), config, opener);
        this.mimeHeaderChecks = ContentCheck.open("mime_header_checks", s.mimeHeaderChecks(), config, opener);
        this.nestedHeaderChecks = ContentCheck.open("nested_header_checks", s.nestedHeaderChecks(), config, opener);
        this.bodyChecks = ContentCheck.open("body_checks", s.bodyChecks(), config, opener);
    }

    @Override
    public Submission open(Envelope envelope, Origin origin) throws CleanupException {
        QueueFileWriter writer;
        try {
            writer = QueueFileWriter.create(queue, QueueName.INCOMING, settings.lineLengthLimit());
        } catch (IOException e) {
            log.warning("%s", "queue file create error: " + e.getMessage());
            throw new CleanupException("queue file write error", e);
        }
        CleanupSubmission s = new CleanupSubmission(this, writer, envelope, origin);
        try {
            s.writeEnvelopeStart();
        } catch (IOException | TableException e) {
            s.abort();
            log.warning("%s: %s", writer.queueId(), e.getMessage());
            throw new CleanupException("queue file write error", e);
        }
        return s;
    }

    /**
     * The header rewrite context (local_header_rewrite_clients): local for mail without a
     * network client and for clients matching permit_inet_interfaces (an address of this
     * host) or permit_mynetworks-style static lists; remote otherwise.
     */
    AddressRewriter.Context rewriteContext(Origin origin) {
        if (origin == null || origin.clientAddress() == null) return AddressRewriter.Context.LOCAL;
        // smtpd decided with local_header_rewrite_clients (it knows mynetworks and SASL)
        if (origin.rewriteContext() != null) {
            return origin.rewriteContext() == org.posthorn.rewrite.RewriteContext.LOCAL
                    ? AddressRewriter.Context.LOCAL : AddressRewriter.Context.REMOTE;
        }
        for (String item : settings.localHeaderRewriteClients()) {
            String i = item.toLowerCase(Locale.ROOT);
            if (i.equals("static:all") || i.equals("permit")) return AddressRewriter.Context.LOCAL;
            if (i.equals("permit_inet_interfaces") && isLocalAddress(origin.clientAddress())) {
                return AddressRewriter.Context.LOCAL;
            }
        }
        return AddressRewriter.Context.REMOTE;
    }

    private static boolean isLocalAddress(String address) {
        try {
            InetAddress a = InetAddress.ofLiteral(address);
            return a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null;
        } catch (IllegalArgumentException | SocketException e) {
            return false;
        }
    }

    /** Whether every table list is empty (tests). */
    List<AddressMaps> addressMaps() {
        return List.of(canonical, senderCanonical, recipientCanonical, virtualAlias, senderBcc, recipientBcc);
    }
}
