package org.posthorn.flush;

import org.posthorn.address.MatchList;
import org.posthorn.address.TableOpener;
import org.posthorn.config.Config;
import org.posthorn.table.TableException;

/**
 * fast_flush_domains: which destinations get a fast-flush log. Client and server both ask,
 * as Postfix does: a client does not bother the server for an ineligible site.
 */
public final class FlushDomains {
    private final MatchList list;

    private FlushDomains(MatchList list) {
        this.list = list;
    }

    public static FlushDomains of(Config config) {
        try {
            return new FlushDomains(new MatchList("fast_flush_domains", config.get("fast_flush_domains"),
                    MatchList.Kind.HOSTNAME,
                    MatchList.parentStyle("fast_flush_domains", config.getList("parent_domain_matches_subdomains")),
                    TableOpener.of(config)));
        } catch (TableException e) {
            return new FlushDomains(null);
        }
    }

    /** OK when eligible, DENY when not, FAIL when a table of the list cannot be read. */
    public Flush.Status check(String site) {
        if (list == null) return Flush.Status.FAIL;
        try {
            return list.matches(site) ? Flush.Status.OK : Flush.Status.DENY;
        } catch (TableException e) {
            return Flush.Status.FAIL;
        }
    }

    /** Whether no destination is eligible (the default with an empty relay_domains). */
    public boolean isEmpty() {
        return list != null && list.isEmpty();
    }
}
