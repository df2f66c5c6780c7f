package org.posthorn.rewrite;

import java.util.ArrayList;
import java.util.List;
import org.posthorn.address.Hostnames;
import org.posthorn.address.MatchList;
import org.posthorn.address.Quote;
import org.posthorn.address.Token;
import org.posthorn.address.Tokenizer;
import org.posthorn.log.Log;
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

    Resolution resolve(Personality p, String sender, String address) {
        try {
            return resolveOrThrow(p, sender, address);
        } catch (TableException e) {
            log.warning("%s", e.getMessage());
            return new Resolution(Resolution.NO_TRANSPORT, Resolution.NO_NEXTHOP, address, ResolveFlags.FAIL);
        }
    }

    private Resolution resolveOrThrow(Personality p, String sender, String address) throws TableException {
        int flags = 0;
        List<Token> tree = new ArrayList<>(Tokenizer.scan(Quote.quoteLocal(address)));
        List<Token> savedDomain = null;
        boolean remote = false;
        int loopMax = address.length() + 100;

        for (int loop = 0; ; loop++) {
            if (loop > loopMax) {
                log.warning("resolve_addr: <%s>: giving up after %d iterations", address, loop);
                return fail(address);
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

        if (rcptDomain.startsWith("[")) {
            if (!Hostnames.validMailhostLiteral(rcptDomain)) flags |= ResolveFlags.ERROR;
        } else if (!Hostnames.validUtf8Hostname(rcptDomain, settings.smtputf8())) {
            if (settings.resolveNumericDomain() && Hostnames.validHostAddress(rcptDomain)) {
                recipient = recipient.substring(0, recipient.length() - rcptDomain.length()) + "[" + rcptDomain + "]";
                rcptDomain = "[" + rcptDomain + "]";
                if (local.isLocal(rcptDomain)) remote = false;
            } else {
                flags |= ResolveFlags.ERROR;
            }
        }
        if ((flags & ResolveFlags.ERROR) != 0) {
            return new Resolution(Resolution.NO_TRANSPORT, Resolution.NO_NEXTHOP, recipient,
                    flags | ResolveFlags.CLASS_DEFAULT);
        }

        // Routing operators left in the local part, whatever swap_bangpath and percent_hack say
        // here: the next hop may honour them.
        int firstOp = firstOperator(recipient);
        if (!recipient.substring(firstOp + 1).equals(rcptDomain)) flags |= ResolveFlags.ROUTED;

        TransportTable.Route route = new TransportTable.Route(null, null);
        String blame;
        if (remote) {
            if (virtualAliasDomains.matches(rcptDomain)) {
                if (settings.helpfulWarnings()) {
                    warnBoth(virtualMailboxDomains, rcptDomain, "virtual_alias_domains", "virtual_mailbox_domains");
                    warnBoth(relayDomains, rcptDomain, "virtual_alias_domains", "relay_domains");
                }
                route.transport = "error";
                route.nexthop = "5.1.1 User unknown" + (settings.showUnknownTable() ? " in virtual alias table" : "");
                blame = null;
                flags |= ResolveFlags.CLASS_ALIAS;
            } else if (virtualMailboxDomains.matches(rcptDomain)) {
                if (settings.helpfulWarnings()) {
                    warnBoth(relayDomains, rcptDomain, "virtual_mailbox_domains", "relay_domains");
                }
                route.transport = p.virtualTransport();
                route.nexthop = rcptDomain;
                blame = p.virtualTransportName();
                flags |= ResolveFlags.CLASS_VIRTUAL;
            } else {
                if (relayDomains.matches(rcptDomain)) {
                    route.transport = p.relayTransport();
                    blame = p.relayTransportName();
                    flags |= ResolveFlags.CLASS_RELAY;
                } else {
                    String xport = null;
                    if (p.senderDefaultTransportMaps() != null) {
                        String key = sender.isEmpty() ? settings.nullDefaultTransportKey() : sender;
                        xport = finder.find(p.senderDefaultTransportMaps(), key);
                        if (xport != null && xport.isEmpty()) {
                            log.warning("%s: ignoring null lookup result for %s",
                                    p.senderDefaultTransportMaps().parameter(), key);
                            xport = "DUNNO";
                        }
                    }
                    if (xport != null) {
                        route.transport = xport.equalsIgnoreCase("DUNNO") ? p.defaultTransport() : xport;
                        blame = p.senderDefaultTransportMaps().parameter();
                    } else {
                        route.transport = p.defaultTransport();
                        blame = p.defaultTransportName();
                    }
                    flags |= ResolveFlags.CLASS_DEFAULT;
                }
                String relay = null;
                if (p.senderRelayhostMaps() != null) {
                    String key = sender.isEmpty() ? settings.nullRelayKey() : sender;
                    relay = finder.find(p.senderRelayhostMaps(), key);
                    if (relay != null && relay.isEmpty()) {
                        log.warning("%s: ignoring null lookup result for %s", p.senderRelayhostMaps().parameter(), key);
                        relay = "DUNNO";
                    }
                }
                if (relay != null) route.nexthop = relay.equalsIgnoreCase("DUNNO") ? rcptDomain : relay;
                else route.nexthop = p.relayhost().isEmpty() ? rcptDomain : p.relayhost();
            }
        } else {
            if (settings.helpfulWarnings()) {
                warnBoth(virtualAliasDomains, rcptDomain, "mydestination", "virtual_alias_domains");
                warnBoth(virtualMailboxDomains, rcptDomain, "mydestination", "virtual_mailbox_domains");
            }
            route.transport = p.localTransport();
            route.nexthop = rcptDomain;
            blame = p.localTransportName();
            flags |= ResolveFlags.CLASS_LOCAL;
        }

        // "transport:nexthop" in a main.cf transport setting overrides the nexthop.
        int colon = route.transport.indexOf(':');
        if (colon >= 0) {
            String destination = route.transport.substring(colon + 1);
            route.transport = route.transport.substring(0, colon);
            if (!destination.isEmpty()) route.nexthop = destination;
        }
        if (route.transport.isEmpty()) {
            log.warning("file %s/main.cf: parameter %s: null transport is not allowed", settings.configDir(), blame);
            return new Resolution(route.transport, route.nexthop, recipient, flags | ResolveFlags.FAIL);
        }

        if (p.transportMaps() != null && (flags & ResolveFlags.CLASS_ALIAS) == 0) {
            p.transportMaps().lookup(recipient, rcptDomain, route);
        }

        if (relocatedMaps != null) {
            String moved = finder.find(relocatedMaps, recipient);
            if (moved != null) {
                route.transport = "error";
                route.nexthop = "5.1.6 User has moved to " + moved;
            }
        }

        // Local parts starting with "-" could pass as options to commands run by pipe(8).
        if (!settings.allowMinUser() && recipient.startsWith("-")) flags |= ResolveFlags.ERROR;

        return new Resolution(route.transport, route.nexthop, recipient, flags);
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

    private static Resolution fail(String address) {
        return new Resolution(Resolution.NO_TRANSPORT, Resolution.NO_NEXTHOP, address, ResolveFlags.FAIL);
    }
}
