package org.posthorn.cleanup;

import java.util.Set;

/**
 * One envelope recipient with its DSN request (RFC 3461).
 *
 * @param address the recipient as received, without angle brackets
 * @param dsnNotify the NOTIFY= keywords ({@code NEVER}, or some of {@code SUCCESS FAILURE DELAY});
 *                empty when the client gave none
 * @param orcpt   the ORCPT= value as {@code type;address} with the address xtext-decoded, or null
 */
public record Recipient(String address, Set<Notify> dsnNotify, String orcpt) {
    public Recipient {
        dsnNotify = Set.copyOf(dsnNotify);
    }

    /** A recipient without DSN options. */
    public static Recipient of(String address) {
        return new Recipient(address, Set.of(), null);
    }

    /** RFC 3461 NOTIFY keywords. */
    public enum Notify { NEVER, SUCCESS, FAILURE, DELAY }
}
