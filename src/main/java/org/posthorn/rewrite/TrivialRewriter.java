package org.posthorn.rewrite;

import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.posthorn.address.AddressExtension;
import org.posthorn.address.InterfaceAddresses;
import org.posthorn.address.MatchList;
import org.posthorn.address.TableOpener;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.table.Maps;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;

/**
 * The in-process trivial-rewrite: {@link TrivialRewrite} built from one configuration
 * view. Tables and lists are opened once, when it is created; it is safe for concurrent
 * use (nothing changes after construction; tables answer concurrently).
 */
public final class TrivialRewriter implements TrivialRewrite {
    private final Rewriter rewriter;
    private final Resolver resolver;
    private final Resolver.Personality regular;
    private final Resolver.Personality verify;

    private TrivialRewriter(Rewriter rewriter, Resolver resolver, Resolver.Personality regular,
                            Resolver.Personality verify) {
        this.rewriter = rewriter;
        this.resolver = resolver;
        this.regular = regular;
        this.verify = verify;
    }

    /** Built with tables from {@link org.posthorn.table.TableFactory}. */
    public static TrivialRewriter create(Config config, Log log) throws TableException, UnknownHostException {
        return create(config, TableOpener.of(config), TableOpener.of(config, false), log);
    }

    /**
     * Built with given table openers (tests, or a proxymap client): {@code opener} for *_maps
     * tables (keys folded), {@code listOpener} for the tables in mydestination, relay_domains
     * and the other domain lists (keys as written; the list folds the query).
     *
     * @throws TableException       a table or list file cannot be opened
     * @throws UnknownHostException a name in inet_interfaces or proxy_interfaces does not resolve
     */
    public static TrivialRewriter create(Config config, TableOpener opener, TableOpener listOpener, Log log)
            throws TableException, UnknownHostException {
        TableOpener tables = TableOpener.caching(UnavailableTable.onOpenFailure(opener, log));
        TableOpener lists = TableOpener.caching(UnavailableTable.onOpenFailure(listOpener, log));
        List<String> parentStyle = config.getList("parent_domain_matches_subdomains");

        Rewriter rewriter = new Rewriter(config.getBool("swap_bangpath"), config.getBool("allow_percent_hack"),
                config.getBool("append_at_myorigin"), config.getBool("append_dot_mydomain"),
                config.get("myorigin").strip(), config.get("mydomain").strip(),
                config.get("remote_header_rewrite_domain").strip());

        InterfaceAddresses interfaces = InterfaceAddresses.of(config.getList("inet_interfaces"),
                config.getList("proxy_interfaces"), config.getList("inet_protocols"));
        LocalDestinations local = new LocalDestinations(
                new MatchList("mydestination", config.get("mydestination"), MatchList.Kind.STRING, false, lists),
                interfaces);
        AddressExtension extension = new AddressExtension(config.get("recipient_delimiter").strip(),
                config.getBool("owner_request_special"), config.get("double_bounce_sender").strip());
        AddressFinder finder = new AddressFinder(extension, config.get("myorigin").strip(), local);

        Resolver.Settings settings = new Resolver.Settings(config.get("myhostname").strip(),
                config.get("empty_address_recipient").strip(), config.getBool("resolve_dequoted_address"),
                config.getBool("resolve_null_domain"), config.getBool("resolve_numeric_domain"),
                config.getBool("show_user_unknown_table_name"), config.getBool("allow_min_user"),
                config.getBool("smtputf8_enable"), config.getBool("helpful_warnings"),
                config.get("empty_address_relayhost_maps_lookup_key").strip(),
                config.get("empty_address_default_transport_maps_lookup_key").strip(),
                String.valueOf(config.configDir()));

        Resolver resolver = new Resolver(rewriter, settings, local,
                new MatchList("virtual_alias_domains", config.get("virtual_alias_domains"), MatchList.Kind.STRING,
                        false, lists),
                new MatchList("virtual_mailbox_domains", config.get("virtual_mailbox_domains"),
                        MatchList.Kind.STRING, false, lists),
                new MatchList("relay_domains", config.get("relay_domains"), MatchList.Kind.HOSTNAME,
                        parentStyle.contains("relay_domains"), lists),
                maps("relocated_maps", config.get("relocated_maps"), tables), finder, log);

        boolean transportParent = parentStyle.contains("transport_maps");
        Resolver.Personality regular = personality(config, tables, extension, transportParent,
                "local_transport", "virtual_transport", "relay_transport", "default_transport",
                "sender_dependent_default_transport_maps", "relayhost", "sender_dependent_relayhost_maps",
                "transport_maps", log);
        Resolver.Personality verify = personality(config, tables, extension, transportParent,
                "address_verify_local_transport", "address_verify_virtual_transport",
                "address_verify_relay_transport", "address_verify_default_transport",
                "address_verify_sender_dependent_default_transport_maps", "address_verify_relayhost",
                "address_verify_sender_dependent_relayhost_maps", "address_verify_transport_maps", log);
        return new TrivialRewriter(rewriter, resolver, regular, verify);
    }

    private static Resolver.Personality personality(Config c, TableOpener tables, AddressExtension extension,
                                                    boolean transportParent, String local,
                                                    String virtual, String relay, String dflt,
                                                    String senderDefault, String relayhost, String senderRelay,
                                                    String transportMaps, Log log) throws TableException {
        Maps transport = maps(transportMaps, c.get(transportMaps), tables);
        return new Resolver.Personality(c.get(local).strip(), local, c.get(virtual).strip(), virtual,
                c.get(relay).strip(), relay, c.get(dflt).strip(), dflt,
                maps(senderDefault, c.get(senderDefault), tables), c.get(relayhost).strip(),
                maps(senderRelay, c.get(senderRelay), tables),
                transport == null ? null : new TransportTable(transport, transportParent, extension));
    }

    /**
     * The tables of a *_maps parameter, or null when it names none. Tables come through the
     * opener, which stands an unavailable table in for one that cannot be opened.
     */
    private static Maps maps(String parameter, String value, TableOpener opener) throws TableException {
        List<Table> tables = new ArrayList<>();
        for (String spec : Config.splitList(value)) tables.add(opener.open(spec));
        return tables.isEmpty() ? null : new Maps(parameter, tables);
    }

    @Override
    public String rewrite(RewriteContext context, String address) {
        return rewriter.rewrite(context, address);
    }

    @Override
    public Resolution resolve(String sender, String address) {
        return resolver.resolve(regular, sender, address);
    }

    @Override
    public Resolution resolveForVerify(String sender, String address) {
        return resolver.resolve(verify, sender, address);
    }
}
