package org.posthorn.cleanup;

/**
 * What cleanup needs from trivial-rewrite(8): an address in internal form rewritten to
 * standard form ({@code user@fully.qualified.domain}) in a rewrite context. The real
 * trivial-rewrite plugs in here; {@link StandardFormRewriter} is the built-in fallback.
 */
public interface AddressRewriter {
    /** The rewrite context of trivial-rewrite: "local" completes addresses, "remote" may leave them alone. */
    enum Context { LOCAL, REMOTE }

    /** The address in standard form; the empty address stays empty. */
    String rewrite(Context context, String address);
}
