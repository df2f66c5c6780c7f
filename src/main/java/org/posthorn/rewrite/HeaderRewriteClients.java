package org.posthorn.rewrite;

import org.posthorn.config.Config;
import java.net.InetAddress;
import java.util.List;
import org.posthorn.address.InterfaceAddresses;
import org.posthorn.address.TableOpener;
import org.posthorn.log.Log;
import org.posthorn.table.TableException;

/**
 * Decides the header rewrite context of mail from an SMTP client, as smtpd does with
 * local_header_rewrite_clients: the first item that matches makes it {@link
 * RewriteContext#LOCAL}; no match makes it {@link RewriteContext#REMOTE}. Items:
 * permit_inet_interfaces (client address is one of inet_interfaces), permit_mynetworks,
 * permit_sasl_authenticated, permit_tls_clientcerts, permit_tls_all_clientcerts,
 * "check_address_map type:table" (the client address finds "OK"), and "static:all"
 * (every client).
 *
 * <p>Who uses what: smtpd and qmqpd call {@link #decide} once per session and pass the
 * context to cleanup with the message; pickup (sendmail, postdrop) mail is always LOCAL.
 * Cleanup rewrites envelope addresses in the LOCAL context whatever this says, and in the
 * REMOTE context leaves header addresses alone when remote_header_rewrite_domain is empty.
 */
public final class HeaderRewriteClients {
    /**
     * What smtpd knows about the client.
     *
     * @param address            the client IP address
     * @param inMynetworks       whether it matches mynetworks (smtpd's own matcher)
     * @param saslAuthenticated  whether it logged in with SASL
     * @param tlsCertTrusted     whether it presented a certificate listed in relay_clientcerts
     * @param tlsCertVerified    whether it presented a certificate that verified against the CAs
     */
    public record Client(InetAddress address, boolean inMynetworks, boolean saslAuthenticated,
                         boolean tlsCertTrusted, boolean tlsCertVerified) {
    }

    private final List<String> items;
    private final InterfaceAddresses interfaces;
    private final TableOpener tables;
    private final Log log;

    /** @param value the local_header_rewrite_clients value */
    public HeaderRewriteClients(String value, InterfaceAddresses interfaces, TableOpener tables, Log log) {
        this.items = Config.splitList(value);
        this.interfaces = interfaces;
        this.tables = tables;
        this.log = log;
    }

    public RewriteContext decide(Client client) throws TableException {
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            boolean local = switch (item.toLowerCase(java.util.Locale.ROOT)) {
                case "permit_inet_interfaces" -> interfaces.isOwn(client.address());
                case "permit_mynetworks" -> client.inMynetworks();
                case "permit_sasl_authenticated" -> client.saslAuthenticated();
                case "permit_tls_clientcerts" -> client.tlsCertTrusted();
                case "permit_tls_all_clientcerts" -> client.tlsCertVerified();
                case "static:all" -> true;
                case "check_address_map" -> {
                    if (i + 1 >= items.size()) {
                        log.warning("restriction check_address_map requires a table argument");
                        yield false;
                    }
                    String value = tables.open(items.get(++i)).lookup(client.address().getHostAddress());
                    yield value != null && value.strip().equalsIgnoreCase("OK");
                }
                default -> {
                    log.warning("unknown %s value \"%s\"", "local_header_rewrite_clients", item);
                    yield false;
                }
            };
            if (local) return RewriteContext.LOCAL;
        }
        return RewriteContext.REMOTE;
    }
}
