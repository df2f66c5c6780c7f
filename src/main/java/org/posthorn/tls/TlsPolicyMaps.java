package org.posthorn.tls;

import java.util.function.Consumer;
import org.posthorn.table.Maps;
import org.posthorn.table.TableException;

/**
 * smtp_tls_policy_maps (lmtp_tls_policy_maps): the per-destination TLS policy. The key is
 * the next-hop destination as written ("example.com", "[mx.example.com]:587"); a plain
 * domain name is also looked up as its parent domains with a leading dot (".example.com",
 * ".com"), bracketed or port-qualified destinations only as themselves, as Postfix does.
 */
public final class TlsPolicyMaps {
    private final Maps maps;
    private final Consumer<String> warn;

    /**
     * @param maps the opened tables (their title is the parameter name, used in warnings)
     * @param warn where warnings go (Postfix's msg_warn)
     */
    public TlsPolicyMaps(Maps maps, Consumer<String> warn) {
        this.maps = maps;
        this.warn = warn;
    }

    public boolean isEmpty() {
        return maps.isEmpty();
    }

    /**
     * The policy for a next-hop destination, or null when no table has one.
     *
     * @throws TlsPolicy.Invalid when the entry is unusable or a table cannot answer; the
     *                           warning has been logged, the caller defers with Postfix's
     *                           "client TLS configuration problem"
     */
    public TlsPolicy lookup(String destination) throws TlsPolicy.Invalid {
        String site = destination.toLowerCase(java.util.Locale.ROOT);
        boolean domain = site.matches("[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?") && !site.matches("[0-9.]+");
        String key = site;
        while (true) {
            String where = maps.title() + ", next-hop destination \"" + key + "\"";
            Maps.Match m;
            try {
                m = maps.find(key, false);
            } catch (TableException e) {
                warn.accept(where + ": policy table lookup error");
                throw new TlsPolicy.Invalid("policy table lookup error");
            }
            if (m != null) {
                try {
                    return TlsPolicy.parse(m.value(), w -> warn.accept(where + ": " + w));
                } catch (TlsPolicy.Invalid e) {
                    warn.accept(where + ": " + e.getMessage());
                    throw e;
                }
            }
            if (!domain) return null;
            int dot = key.indexOf('.', 1);
            if (dot < 0) return null;
            key = key.substring(dot);
        }
    }
}
