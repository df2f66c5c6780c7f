package org.posthorn.cleanup;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Address masquerading (masquerade_domains): {@code user@host.sub.example.com} becomes
 * {@code user@example.com} for the first listed domain the address is a subdomain of; a
 * {@code !domain} entry that matches first leaves the address alone, and users named in
 * masquerade_exceptions are never masqueraded.
 */
public final class Masquerade {
    private final List<String> domains;
    private final Set<String> exceptions;

    public Masquerade(List<String> domains, Set<String> exceptions) {
        this.domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
        this.exceptions = exceptions;
    }

    public boolean isEmpty() {
        return domains.isEmpty();
    }

    /** The masqueraded address, or the address itself. */
    public String apply(String address) {
        int at = address.lastIndexOf('@');
        if (domains.isEmpty() || at <= 0) return address;
        String local = address.substring(0, at);
        if (exceptions.contains(local.toLowerCase(Locale.ROOT))) return address;
        String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
        for (String entry : domains) {
            boolean exempt = entry.startsWith("!");
            String masq = exempt ? entry.substring(1) : entry;
            if (domain.equals(masq)) return address;
            if (domain.endsWith("." + masq)) return exempt ? address : local + "@" + masq;
        }
        return address;
    }
}
