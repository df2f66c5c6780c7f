package org.posthorn.rewrite;

/**
 * Which domains complete an incomplete address: LOCAL appends $myorigin and
 * .$mydomain; REMOTE appends $remote_header_rewrite_domain for both, and leaves the
 * address alone when that is empty. Envelope addresses are always rewritten in the
 * LOCAL context; header addresses use REMOTE unless the client matches
 * local_header_rewrite_clients (see {@link HeaderRewriteClients}).
 */
public enum RewriteContext {
    LOCAL("local"),
    REMOTE("remote");

    private final String protocolName;

    RewriteContext(String protocolName) {
        this.protocolName = protocolName;
    }

    /** The rule name in trivial-rewrite's protocol ("local" or "remote"). */
    public String protocolName() {
        return protocolName;
    }
}
