package org.posthorn.cleanup;

import java.util.function.Supplier;
import org.posthorn.qmgr.InFlow;
import org.posthorn.qmgr.QueueWakeup;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import org.posthorn.address.InterfaceAddresses;
import org.posthorn.address.MatchList;
import org.posthorn.address.Quote;
import org.posthorn.address.TableOpener;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueFileWriter;
import org.posthorn.queue.QueueName;
import org.posthorn.rewrite.HeaderRewriteClients;
import org.posthorn.rewrite.LocalDestinations;
import org.posthorn.rewrite.RewriteContext;
import org.posthorn.rewrite.TrivialRewrite;
import org.posthorn.rewrite.TrivialRewriter;
import org.posthorn.table.AddressLookup;
import org.posthorn.table.TableException;

/**
 * cleanup(8): the implementation of the {@link Cleanup} seam. It holds what every message
 * shares (settings, the opened canonical, virtual, bcc and content-check tables, the
 * trivial-rewrite seam, the queue directory and log); each {@link #open} starts a
 * {@link CleanupSubmission} writing one queue file in incoming/.
 */
public final class CleanupDaemon implements Cleanup {
    final CleanupSettings settings;
    final QueueDirectory queue;
    final Log log;
    final TrivialRewrite rewrite;
    final HeaderRewriteClients headerRewriteClients;
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
    /** Told after each new file in incoming/ (qmgr's wake-up); nothing until set. */
    private volatile QueueWakeup onQueued = queueId -> { };

    /**
     * Builds the daemon from main.cf with its own in-process trivial-rewrite (tests, tools);
     * tables are opened now so that a bad table is reported once, at start.
     *
     * @throws UnknownHostException a name in inet_interfaces or proxy_interfaces does not resolve
     */
    public CleanupDaemon(Config config, QueueDirectory queue, Log log) throws TableException, UnknownHostException {
        this(config, queue, log, TrivialRewriter.create(config, log), Clock.systemUTC());
    }

    private volatile Supplier<InFlow> inFlow = () -> null;

    /** @param rewrite trivial-rewrite's seam: standard form of every envelope and header address */
    public CleanupDaemon(Config config, QueueDirectory queue, Log log, TrivialRewrite rewrite, Clock clock)
            throws TableException, UnknownHostException {
        this.settings = CleanupSettings.from(config);
        this.queue = queue;
        this.log = log;
        this.clock = clock;
        this.rewrite = rewrite;
        CleanupSettings s = settings;
        InterfaceAddresses interfaces = InterfaceAddresses.of(config.getList("inet_interfaces"),
                config.getList("proxy_interfaces"), config.getList("inet_protocols"));
        this.headerRewriteClients = new HeaderRewriteClients(String.join(" ", s.localHeaderRewriteClients()),
                interfaces, TableOpener.of(config), log);
        // the user part alone is looked up for $myorigin and local domains (resolve_local)
        LocalDestinations local = new LocalDestinations(new MatchList("mydestination", config.get("mydestination"),
                MatchList.Kind.STRING, false, TableOpener.of(config, false)), interfaces);
        AddressLookup.LocalDomain localDomain = domain -> domain.equalsIgnoreCase(s.myorigin()) || local.isLocal(domain);
        this.canonical = AddressMaps.open("canonical_maps", s.canonicalMaps(), config, s, localDomain, "canonical");
        this.senderCanonical = AddressMaps.open("sender_canonical_maps", s.senderCanonicalMaps(), config, s,
                localDomain, "canonical");
        this.recipientCanonical = AddressMaps.open("recipient_canonical_maps", s.recipientCanonicalMaps(), config, s,
                localDomain, "canonical");
        this.virtualAlias = AddressMaps.open("virtual_alias_maps", s.virtualAliasMaps(), config, s, localDomain, "virtual");
        this.senderBcc = AddressMaps.open("sender_bcc_maps", s.senderBccMaps(), config, s, localDomain, null);
        this.recipientBcc = AddressMaps.open("recipient_bcc_maps", s.recipientBccMaps(), config, s, localDomain, null);
        this.masquerade = new Masquerade(s.masqueradeDomains(), s.masqueradeExceptions());
        this.headerChecks = ContentCheck.open("header_checks", s.headerChecks(), config);
        this.mimeHeaderChecks = ContentCheck.open("mime_header_checks", s.mimeHeaderChecks(), config);
        this.nestedHeaderChecks = ContentCheck.open("nested_header_checks", s.nestedHeaderChecks(), config);
        this.bodyChecks = ContentCheck.open("body_checks", s.bodyChecks(), config);
    }

    @Override
    public Submission open(Envelope envelope, Origin origin) throws CleanupException {
        inFlowDelay();
        RewriteContext context;
        try {
            context = rewriteContext(origin);
        } catch (TableException e) {
            // a check_address_map table of local_header_rewrite_clients cannot answer now
            log.warning("%s", e.getMessage());
            throw new CleanupException("queue file write error", e);
        }
        QueueFileWriter writer;
        try {
            writer = QueueFileWriter.create(queue, QueueName.INCOMING, settings.lineLengthLimit());
        } catch (IOException e) {
            log.warning("%s", "queue file create error: " + e.getMessage());
            throw new CleanupException("queue file write error", e);
        }
        CleanupSubmission s = new CleanupSubmission(this, writer, envelope, origin, context);
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
     * network client, else as smtpd decides it. Cleanup knows only the client address and
     * whether it logged in, so permit_mynetworks and the TLS items do not match here.
     */
    RewriteContext rewriteContext(Origin origin) throws TableException {
        if (origin == null || origin.clientAddress() == null) return RewriteContext.LOCAL;
        // smtpd decided with local_header_rewrite_clients (it also knows mynetworks)
        if (origin.rewriteContext() != null) return origin.rewriteContext();
        InetAddress address;
        try {
            address = InetAddress.ofLiteral(origin.clientAddress());
        } catch (IllegalArgumentException e) {
            return RewriteContext.REMOTE;
        }
        return headerRewriteClients.decide(new HeaderRewriteClients.Client(address, false,
                origin.saslUsername() != null, false, false));
    }

    /**
     * trivial-rewrite's standard form of an internal-form address: quoted to external form
     * for the request and the answer unquoted, as Postfix's cleanup does (cleanup_rewrite_internal).
     */
    String rewriteInternal(RewriteContext context, String address) {
        return Quote.unquoteLocal(rewrite.rewrite(context, Quote.quoteLocal(address)));
    }

    /** The standard form of an external-form address (a header address or a table result), in internal form. */
    String rewriteExternal(RewriteContext context, String address) {
        return Quote.unquoteLocal(rewrite.rewrite(context, address));
    }

    /**
     * in_flow_delay: one of qmgr's tokens per message, or a pause when qmgr is behind (it
     * has not taken the earlier messages from incoming/ yet), as Postfix's cleanup does.
     */
    private void inFlowDelay() {
        InFlow flow = inFlow.get();
        if (flow == null) return;
        try {
            flow.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A message went to hold/: qmgr will not take it, so its in_flow_delay token goes back. */
    void held() {
        InFlow flow = inFlow.get();
        if (flow != null) flow.put();
    }

    /** Where qmgr's in_flow_delay tokens are (the master wires qmgr's here); none by default. */
    public void inFlow(Supplier<InFlow> flow) {
        inFlow = flow;
    }

    /** Whom to tell when a message is complete in incoming/ (the master wires qmgr's wake-up here). */
    public void onQueued(QueueWakeup wakeup) {
        onQueued = wakeup;
    }

    /** The file's envelope, before the file is marked complete (qmgr may find it at once). */
    void completing(String queueId, org.posthorn.queue.Envelope envelope) {
        if (envelope != null) onQueued.expect(queueId, envelope);
    }

    void queued(String queueId) {
        onQueued.incomingArrived(queueId);
    }
}
