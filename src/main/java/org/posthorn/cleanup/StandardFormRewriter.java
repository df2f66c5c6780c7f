package org.posthorn.cleanup;

import java.util.Locale;

/**
 * A minimal trivial-rewrite "rewrite" request: strips a source route, applies swap_bangpath
 * and allow_percent_hack to addresses without {@code @}, appends {@code @$myorigin}
 * (append_at_myorigin) and {@code .$mydomain} to a dotless domain (append_dot_mydomain).
 * In the remote context an address without a domain gets {@code remote_header_rewrite_domain}
 * when set and is otherwise left alone, as trivial-rewrite does for headers.
 */
public final class StandardFormRewriter implements AddressRewriter {
    private final CleanupSettings settings;

    public StandardFormRewriter(CleanupSettings settings) {
        this.settings = settings;
    }

    @Override
    public String rewrite(Context context, String address) {
        String a = address;
        if (a.isEmpty() || a.equals("@")) return "";
        // RFC 822 source route: @a,@b:user@c -> user@c
        if (a.startsWith("@") && a.indexOf(':') > 0) a = a.substring(a.indexOf(':') + 1);
        int at = a.lastIndexOf('@');
        if (at < 0) {
            int bang = a.indexOf('!');
            int pct = a.lastIndexOf('%');
            if (settings.swapBangpath() && bang > 0 && bang < a.length() - 1) {
                a = a.substring(bang + 1) + "@" + a.substring(0, bang);
            } else if (settings.allowPercentHack() && pct > 0 && pct < a.length() - 1) {
                a = a.substring(0, pct) + "@" + a.substring(pct + 1);
            } else if (context == Context.REMOTE) {
                String domain = settings.remoteHeaderRewriteDomain();
                return domain.isEmpty() ? a : a + "@" + domain;
            } else if (settings.appendAtMyorigin()) {
                a = a + "@" + settings.myorigin();
            }
            at = a.lastIndexOf('@');
        }
        if (at >= 0 && settings.appendDotMydomain()) {
            String domain = a.substring(at + 1);
            if (!domain.isEmpty() && domain.indexOf('.') < 0 && !domain.startsWith("[")
                    && !domain.toLowerCase(Locale.ROOT).equals("localhost")) {
                a = a + "." + settings.mydomain();
            }
        }
        return a;
    }
}
