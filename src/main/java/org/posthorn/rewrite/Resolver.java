package org.posthorn.rewrite;

import java.util.ArrayList;
import java.util.List;
import org.posthorn.address.Hostnames;
import org.posthorn.address.MatchList;
import org.posthorn.address.Quote;
import org.posthorn.address.Token;
import org.posthorn.address.Tokenizer;
import org.posthorn.log.Log;
import org.posthorn.table.Maps;
import org.posthorn.table.TableException;

/**
 * trivial-rewrite's resolver: one internal-form recipient to (transport, nexthop,
 * recipient, flags). Local domains are stripped off repeatedly so that sender routing
 * hidden behind them (user%remote@local, remote!user@local, "user@remote"@local) is found
 * and flagged; the remaining domain picks the address class, the class picks transport
 * and nexthop, then transport_maps and relocated_maps may override them.
 */
final class Resolver {
    /** One set of transport settings: the regular one, or address_verify_* for probes. */
    record Personality(String localTransport, String localTransportName,
                       String virtualTransport, String virtualTransportName,
                       String relayTransport, String relayTransportName,
                       String defaultTransport, String defaultTransportName,
                       Maps senderDefaultTransportMaps, String relayhost, Maps senderRelayhostMaps,
                       TransportTable transportMaps) {
    }

    /** Settings shared by both personalities. */
    record Settings(String myhostname, String emptyAddressRecipient, boolean resolveDequoted,
                    boolean resolveNullDomain, boolean resolveNumericDomain, boolean showUnknownTable,
                    boolean allowMinUser, boolean smtputf8, boolean helpfulWarnings,
                    String nullRelayKey, String nullDefaultTransportKey, String configDir) {
    }

    private final Rewriter rewriter;
    private final Settings settings;
    private final LocalDestinations local;
    private final MatchList virtualAliasDomains;
    private final MatchList virtualMailboxDomains;
    private final MatchList relayDomains;
    private final Maps relocatedMaps;
    private final AddressFinder finder;
    private final Log log;

    Resolver(Rewriter rewriter, Settings settings, LocalDestinations local, MatchList virtualAliasDomains,
             MatchList virtualMailboxDomains, MatchList relayDomains, Maps relocatedMaps, AddressFinder finder,
             Log log) {
        this.rewriter = rewriter;
        this.settings = settings;
        this.local = local;
        this.virtualAliasDomains = virtualAliasDomains;
        this.virtualMailboxDomains = virtualMailboxDomains;
        this.relayDomains = relayDomains;
        this.relocatedMaps = relocatedMaps;
        this.finder = finder;
        this.log = log;
    }

    /** The answer as it is built; on a lookup failure it is returned as far as it got. */
    private static final class State {
        String transport = Resolution.NO_TRANSPORT;
        String nexthop = Resolution.NO_NEXTHOP;
        String recipient = "NEXTRCPT NOT UPDATED";
        int flags;

        Resolution toResolution() {
            return new Resolution(transport, nexthop, recipient, flags);
        }
    }

    Resolution resolve(Personality p, String sender, String address) {
        State st = new State();
        try {
            resolve(p, sender, address, st);
        } catch (TableException e) {
            log.warning("%s", e.getMessage());
            st.flags |= ResolveFlags.FAIL;
        }
        return st.toResolution();
    }

    private void resolve(Personality p, String sender, String address, State st) throws TableException {
        List<Token> tree = new ArrayList<>(Tokenizer.scan(Quote.quoteLocal(address)));
        List<Token> savedDomain = null;
        boolean remote = false;
        int loopMax = address.length() + 100;

        for (int loop = 0; ; loop++) {
            if (loop > loopMax) {
                log.warning("resolve_addr: <%s>: giving up after %d iterations", address, loop);
                st.flags |= ResolveFlags.FAIL;
                return;
            }
            int n = tree.size();
            // Trailing dot at the end of the domain (not "..", not "@.").
            if (n >= 2 && tree.get(n - 1).is('.') && Tokenizer.lastIndexOf(tree, '@') >= 0
                    && !tree.get(n - 2).is('.') && !tree.get(n - 2).is('@')) {
                tree.remove(n - 1);
            }
            if (settings.resolveNullDomain() && !tree.isEmpty() && tree.getLast().is('@')) tree.removeLast();

            // Strip and remember @domain when it is local (or empty); stop at a remote domain.
            int at = Tokenizer.lastIndexOf(tree, '@');
            if (at >= 0) {
                if (at + 1 < tree.size()
                        && !local.isLocal(Tokenizer.internalize(tree.subList(at + 1, tree.size())))) {
                    remote = true;
                    break;
                }
                savedDomain = new ArrayList<>(tree.subList(at, tree.size()));
                tree = new ArrayList<>(tree.subList(0, at));
            }

            // Routing left in the local part: user@host, host!user, user%host; re-resolve.
            if (Tokenizer.lastIndexOf(tree, '@') >= 0
                    || (rewriter.swapBangpath() && Tokenizer.lastIndexOf(tree, '!') >= 0)
                    || (rewriter.percentHack() && Tokenizer.lastIndexOf(tree, '%') >= 0)) {
                tree = rewriter.rewrite(RewriteContext.LOCAL, tree);
                continue;
            }

            // A quoted local part may hide routing operators: crack it open (resolve_dequoted_address).
            if (settings.resolveDequoted() && tree.size() == 1 && tree.getFirst().is(Token.QSTRING)) {
                String text = tree.getFirst().text();
                int op = text.lastIndexOf('@');
                if (op < 0 && rewriter.percentHack()) op = text.lastIndexOf('%');
                if (op < 0 && rewriter.swapBangpath()) op = text.lastIndexOf('!');
                if (op >= 0) {
                    char c = text.charAt(op);
                    if (c == '%') text = text.substring(0, op) + '@' + text.substring(op + 1);
                    if (c == '%' || c == '@') text = Quote.quoteLocal(text);
                    tree = rewriter.rewrite(RewriteContext.LOCAL, new ArrayList<>(Tokenizer.scan(text)));
                    continue;
                }
            }

            // An empty local part is the local MAILER-DAEMON.
            if (tree.size() == 1 && tree.getFirst().is(Token.QSTRING) && tree.getFirst().text().isEmpty()) {
                tree.clear();
            }
            if (tree.isEmpty()) {
                tree = new ArrayList<>(Tokenizer.scan(settings.emptyAddressRecipient()));
                continue;
            }
            // A bare local part: resolve it as user@$myhostname.
            if (savedDomain == null) {
                tree.add(Token.operator('@'));
                tree.addAll(Tokenizer.scan(settings.myhostname()));
                continue;
            }
            break;
        }

        if (!remote) tree.addAll(savedDomain);
        String recipient = Tokenizer.internalize(tree);
        String rcptDomain = recipient.substring(recipient.lastIndexOf('@') + 1);
        st.recipient = recipient;

        if (rcptDomain.startsWith("[")) {
            if (!Hostnames.validMailhostLiteral(rcptDomain)) st.flags |= ResolveFlags.ERROR;
        } else if (!Hostnames.validUtf8Hostname(rcptDomain, settings.smtputf8())) {
            if (settings.resolveNumericDomain() && Hostnames.validHostAddress(rcptDomain)) {
                recipient = recipient.substring(0, recipient.length() - rcptDomain.length()) + "[" + rcptDomain + "]";
                rcptDomain = "[" + rcptDomain + "]";
                st.recipient = recipient;
                if (local.isLocal(rcptDomain)) remote = false;
            } else {
                st.flags |= ResolveFlags.ERROR;
            }
        }
        if ((st.flags & ResolveFlags.ERROR) != 0) {
            st.flags |= ResolveFlags.CLASS_DEFAULT;
            return;
        }

        // Routing operators left in the local part, whatever swap_bangpath and percent_hack say
        // here: the next hop may honour them.
        int firstOp = firstOperator(recipient);
        if (!recipient.substring(firstOp + 1).equals(rcptDomain)) st.flags |= ResolveFlags.ROUTED;

        String blame;
        if (!remote) {
            if (settings.helpfulWarnings()) {
                warnBoth(virtualAliasDomains, rcptDomain, "mydestination", "virtual_alias_domains");
                warnBoth(virtualMailboxDomains, rcptDomain, "mydestination", "virtual_mailbox_domains");
            }
            st.transport = p.localTransport();
            st.nexthop = rcptDomain;
            blame = p.localTransportName();
            st.flags |= ResolveFlags.CLASS_LOCAL;
        } else if (virtualAliasDomains.matches(rcptDomain)) {
            if (settings.helpfulWarnings()) {
                warnBoth(virtualMailboxDomains, rcptDomain, "virtual_alias_domains", "virtual_mailbox_domains");
                warnBoth(relayDomains, rcptDomain, "virtual_alias_domains", "relay_domains");
            }
            st.transport = "error";
            st.nexthop = "5.1.1 User unknown" + (settings.showUnknownTable() ? " in virtual alias table" : "");
            blame = "virtual_alias_domains";
            st.flags |= ResolveFlags.CLASS_ALIAS;
        } else if (virtualMailboxDomains.matches(rcptDomain)) {
            if (settings.helpfulWarnings()) {
                warnBoth(relayDomains, rcptDomain, "virtual_mailbox_domains", "relay_domains");
            }
            st.transport = p.virtualTransport();
            st.nexthop = rcptDomain;
            blame = p.virtualTransportName();
            st.flags |= ResolveFlags.CLASS_VIRTUAL;
        } else {
            if (relayDomains.matches(rcptDomain)) {
                st.transport = p.relayTransport();
                blame = p.relayTransportName();
                st.flags |= ResolveFlags.CLASS_RELAY;
            } else {
                String xport = senderDependent(p.senderDefaultTransportMaps(), sender,
                        settings.nullDefaultTransportKey());
                if (xport != null) {
                    st.transport = xport.equalsIgnoreCase("DUNNO") ? p.defaultTransport() : xport;
                    blame = p.senderDefaultTransportMaps().title();
                } else {
                    st.transport = p.defaultTransport();
                    blame = p.defaultTransportName();
                }
                st.flags |= ResolveFlags.CLASS_DEFAULT;
            }
            // Off-host delivery: a sender-dependent relayhost, else relayhost, else the domain.
            String relay = senderDependent(p.senderRelayhostMaps(), sender, settings.nullRelayKey());
            if (relay != null && !relay.equalsIgnoreCase("DUNNO")) st.nexthop = relay;
            else st.nexthop = p.relayhost().isEmpty() ? rcptDomain : p.relayhost();
        }

        // "transport:nexthop" in a main.cf transport setting overrides the nexthop.
        int colon = st.transport.indexOf(':');
        if (colon >= 0) {
            String destination = st.transport.substring(colon + 1);
            st.transport = st.transport.substring(0, colon);
            if (!destination.isEmpty()) st.nexthop = destination;
        }
        if (st.transport.isEmpty()) {
            log.warning("file %s/main.cf: parameter %s: null transport is not allowed", settings.configDir(), blame);
            st.flags |= ResolveFlags.FAIL;
            return;
        }

        if (p.transportMaps() != null && (st.flags & ResolveFlags.CLASS_ALIAS) == 0) {
            TransportTable.Route route = new TransportTable.Route(st.transport, st.nexthop);
            try {
                p.transportMaps().lookup(recipient, rcptDomain, route);
            } finally {
                st.transport = route.transport;
                st.nexthop = route.nexthop;
            }
        }

        // Recipients that moved bounce, whatever their class.
        if (relocatedMaps != null) {
            String moved = finder.find(relocatedMaps, recipient);
            if (moved != null) {
                st.transport = "error";
                st.nexthop = "5.1.6 User has moved to " + moved;
            }
        }

        // Local parts starting with "-" could pass as options to commands run by pipe(8).
        if (!settings.allowMinUser() && recipient.startsWith("-")) st.flags |= ResolveFlags.ERROR;
    }

    /** A sender_dependent_* lookup for the sender, or for its null-sender key; null when none. */
    private String senderDependent(Maps maps, String sender, String nullKey) throws TableException {
        if (maps == null) return null;
        String key = sender.isEmpty() ? nullKey : sender;
        String value = finder.find(maps, key);
        if (value != null && value.isEmpty()) {
            log.warning("%s: ignoring null lookup result for %s", maps.title(), key);
            return "DUNNO";
        }
        return value;
    }

    private static int firstOperator(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '@' || c == '!' || c == '%') return i;
        }
        return s.length();
    }

    private void warnBoth(MatchList other, String domain, String first, String second) throws TableException {
        if (other.matches(domain)) log.warning("do not list domain %s in BOTH %s and %s", domain, first, second);
    }
}
