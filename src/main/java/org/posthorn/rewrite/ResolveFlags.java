package org.posthorn.rewrite;

/**
 * The bits of a resolve result's flags, with Postfix's values so that they can be compared
 * with a real trivial-rewrite and logged the same way.
 *
 * <p>How smtpd uses them (reject_unauth_destination, permit_auth_destination and the
 * relay checks): a recipient whose result has {@link #FAIL} is deferred with a 451 4.3.0
 * "temporary lookup failure"-style reply; {@link #ERROR} means the domain is not a valid
 * destination; mail to the local, virtual alias, virtual mailbox and relay classes is
 * authorised for every client unless {@link #ROUTED} is set (sender-specified routing
 * such as user%host@ or host!user@ would turn us into an open relay); mail to the
 * default class is relaying and needs permit_mynetworks, permit_sasl_authenticated and
 * the like. {@link Resolution#permitsUnauthenticatedDelivery()} says exactly that.
 */
public final class ResolveFlags {
    /** Final delivery (not set by the resolver itself; kept for completeness). */
    public static final int FINAL = 1;
    /** The local part still contains routing operators (@, %, !) after stripping local domains. */
    public static final int ROUTED = 1 << 1;
    /** The destination is syntactically invalid (bad domain, local part starting with "-"). */
    public static final int ERROR = 1 << 2;
    /** The request failed (table lookup error, bad configuration): try again later. */
    public static final int FAIL = 1 << 3;

    public static final int CLASS_LOCAL = 1 << 8;
    public static final int CLASS_ALIAS = 1 << 9;
    public static final int CLASS_VIRTUAL = 1 << 10;
    public static final int CLASS_RELAY = 1 << 11;
    public static final int CLASS_DEFAULT = 1 << 12;

    public static final int CLASS_FINAL = CLASS_LOCAL | CLASS_ALIAS | CLASS_VIRTUAL;
    public static final int CLASS_MASK = CLASS_LOCAL | CLASS_ALIAS | CLASS_VIRTUAL | CLASS_RELAY | CLASS_DEFAULT;

    private ResolveFlags() {
    }
}
