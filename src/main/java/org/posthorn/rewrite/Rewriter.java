package org.posthorn.rewrite;

import java.util.ArrayList;
import java.util.List;
import org.posthorn.address.Token;
import org.posthorn.address.Tokenizer;

/**
 * Rewrites one address to standard user@fqdn form, as trivial-rewrite's "rewrite" request
 * does: a lone "@" becomes the null address; an RFC 822 source route (@a,@b:user@c) is
 * stripped; an address without "@" has host!user swapped to user@host (swap_bangpath),
 * else user%host turned into user@host (allow_percent_hack), else @origin appended
 * (append_at_myorigin); a domain without a dot gets .domain appended
 * (append_dot_mydomain); one trailing dot is removed.
 */
final class Rewriter {
    private final boolean swapBangpath;
    private final boolean percentHack;
    private final boolean appendAtMyorigin;
    private final boolean appendDotMydomain;
    private final String myorigin;
    private final String mydomain;
    private final String remoteDomain;

    /**
     * @param remoteDomain remote_header_rewrite_domain, the origin and domain of the remote context
     */
    Rewriter(boolean swapBangpath, boolean percentHack, boolean appendAtMyorigin, boolean appendDotMydomain,
             String myorigin, String mydomain, String remoteDomain) {
        this.swapBangpath = swapBangpath;
        this.percentHack = percentHack;
        this.appendAtMyorigin = appendAtMyorigin;
        this.appendDotMydomain = appendDotMydomain;
        this.myorigin = myorigin;
        this.mydomain = mydomain;
        this.remoteDomain = remoteDomain;
    }

    boolean swapBangpath() {
        return swapBangpath;
    }

    boolean percentHack() {
        return percentHack;
    }

    /** Rewrites an external-form address; the result is in external form. "" stays "". */
    String rewrite(RewriteContext context, String external) {
        if (external.isEmpty()) return external;
        List<Token> tokens = new ArrayList<>(Tokenizer.scan(external));
        if (tokens.isEmpty()) return Tokenizer.externalizeAddress(tokens);
        return Tokenizer.externalizeAddress(rewrite(context, tokens));
    }

    /** Rewrites a non-empty token list of one address; returns the new list. */
    List<Token> rewrite(RewriteContext context, List<Token> in) {
        List<Token> t = new ArrayList<>(in);
        String origin = context == RewriteContext.LOCAL ? myorigin : remoteDomain;
        String domain = context == RewriteContext.LOCAL ? mydomain : remoteDomain;

        // The null address, and a lone "@" which means the same.
        if (t.size() == 1 && t.getFirst().is(Token.QSTRING) && t.getFirst().text().isEmpty()) return t;
        if (t.size() == 1 && t.getFirst().is('@')) return new ArrayList<>(List.of(Token.quoted("")));

        // Source route: @a,@b:user@c -> user@c (the colon must not be the last token).
        int colon;
        if (t.getFirst().is('@') && (colon = Tokenizer.indexOf(t, ':', 0)) >= 0 && colon != t.size() - 1) {
            t = new ArrayList<>(t.subList(colon + 1, t.size()));
        }

        if (Tokenizer.lastIndexOf(t, '@') < 0) {
            int bang = Tokenizer.indexOf(t, '!', 0);
            int percent;
            if (swapBangpath && bang >= 0) {
                List<Token> swapped = new ArrayList<>(t.subList(bang + 1, t.size()));
                swapped.add(Token.operator('@'));
                swapped.addAll(t.subList(0, bang));
                t = swapped;
            } else if (percentHack && (percent = Tokenizer.lastIndexOf(t, '%')) >= 0) {
                t.set(percent, Token.operator('@'));
            } else if (appendAtMyorigin && origin != null && !origin.isEmpty()) {
                t.add(Token.operator('@'));
                t.addAll(Tokenizer.scan(origin));
            }
        }

        int at;
        if (appendDotMydomain && domain != null && !domain.isEmpty()
                && (at = Tokenizer.lastIndexOf(t, '@')) >= 0 && at != t.size() - 1
                && Tokenizer.indexOf(t, Token.DOMLIT, at) < 0 && Tokenizer.indexOf(t, '.', at) < 0) {
            t.add(Token.operator('.'));
            t.addAll(Tokenizer.scan(domain));
        }

        stripTrailingDot(t);
        return t;
    }

    /** Removes one trailing dot, but not from "..", or "@." (leaves bogus forms for diagnostics). */
    static void stripTrailingDot(List<Token> t) {
        int n = t.size();
        if (n >= 2 && t.get(n - 1).is('.') && !t.get(n - 2).is('.') && !t.get(n - 2).is('@')) t.remove(n - 1);
    }
}
