package org.posthorn.rewrite;

/**
 * Postfix's address classes (ADDRESS_CLASS_README), each with its resolve flag bit as
 * trivial-rewrite reports it.
 */
public enum AddressClass {
    /** mydestination, inet_interfaces, proxy_interfaces: delivered by local_transport. */
    LOCAL(ResolveFlags.CLASS_LOCAL),
    /** virtual_alias_domains: every address must be aliased elsewhere. */
    ALIAS(ResolveFlags.CLASS_ALIAS),
    /** virtual_mailbox_domains: delivered by virtual_transport. */
    VIRTUAL(ResolveFlags.CLASS_VIRTUAL),
    /** relay_domains: relayed by relay_transport. */
    RELAY(ResolveFlags.CLASS_RELAY),
    /** everything else: default_transport, relaying only for authorised clients. */
    DEFAULT(ResolveFlags.CLASS_DEFAULT);

    private final int flag;

    AddressClass(int flag) {
        this.flag = flag;
    }

    public int flag() {
        return flag;
    }

    /** The class whose bit is set in resolve flags, or null when none is. */
    public static AddressClass of(int flags) {
        for (AddressClass c : values()) if ((flags & c.flag) != 0) return c;
        return null;
    }

    /** Final delivery on this machine: local, virtual alias and virtual mailbox classes. */
    public boolean isFinal() {
        return this == LOCAL || this == ALIAS || this == VIRTUAL;
    }
}
