package org.posthorn.rewrite;

/**
 * The seam of trivial-rewrite(8): rewriting addresses to standard form and resolving
 * recipients to a delivery transport. Cleanup rewrites every envelope and header address;
 * qmgr resolves each recipient at delivery time; smtpd resolves recipients for its
 * relay and recipient checks.
 */
public interface TrivialRewrite {
    /**
     * Rewrites an external-form (quoted) address to standard form: source routes stripped,
     * host!user and user%host turned into user@host, the origin and domain of the context
     * appended to incomplete forms. The null address "" stays "".
     */
    String rewrite(RewriteContext context, String address);

    /**
     * Resolves an internal-form (unquoted) recipient for a sender ("" for the null sender)
     * with the regular transport settings.
     */
    Resolution resolve(String sender, String address);

    /**
     * Resolves with the address_verify_* transport settings, as trivial-rewrite's "verify"
     * request does for address verification probes.
     */
    Resolution resolveForVerify(String sender, String address);
}
