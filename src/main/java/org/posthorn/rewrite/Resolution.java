package org.posthorn.rewrite;

/**
 * What trivial-rewrite's resolver says about one recipient.
 *
 * @param transport the master.cf service that delivers (local, virtual, smtp, relay, error ...)
 * @param nexthop   where that service delivers: a domain, [host]:port, a socket, or for the
 *                  error and retry transports the reason text
 * @param recipient the recipient in internal form after local domains and sender routing
 *                  were stripped (user@domain)
 * @param flags     {@link ResolveFlags} bits: one class bit and ROUTED, ERROR, FAIL
 */
public record Resolution(String transport, String nexthop, String recipient, int flags) {
    /** The placeholders Postfix leaves in place when resolution stops early (ERROR, FAIL). */
    static final String NO_TRANSPORT = "CHANNEL NOT UPDATED";
    static final String NO_NEXTHOP = "NEXTHOP NOT UPDATED";

    public AddressClass addressClass() {
        return AddressClass.of(flags);
    }

    public boolean failed() {
        return (flags & ResolveFlags.FAIL) != 0;
    }

    public boolean error() {
        return (flags & ResolveFlags.ERROR) != 0;
    }

    public boolean routed() {
        return (flags & ResolveFlags.ROUTED) != 0;
    }

    /**
     * Whether any client may send mail to this recipient, as smtpd's permit_auth_destination
     * decides (reject_unauth_destination passes): a local, virtual alias, virtual mailbox or
     * relay class destination, unless sender-specified routing is present and
     * allow_untrusted_routing is off. Check {@link #failed()} first: a failed lookup defers.
     */
    public boolean permitsUnauthenticatedDelivery(boolean allowUntrustedRouting) {
        if (failed() || (routed() && !allowUntrustedRouting)) return false;
        return (flags & (ResolveFlags.CLASS_FINAL | ResolveFlags.CLASS_RELAY)) != 0;
    }
}
