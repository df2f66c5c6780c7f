package org.posthorn.qmgr;

import java.util.Map;
import org.posthorn.rewrite.Resolution;
import org.posthorn.rewrite.ResolveFlags;
import org.posthorn.rewrite.RewriteContext;
import org.posthorn.rewrite.TrivialRewrite;

/**
 * A resolver for tests: the recipient's domain picks "transport:nexthop" from a map
 * (default smtp:domain); the domain fail.test gives a resolver failure, bad.test a bad address.
 */
final class TestRewrite implements TrivialRewrite {
    private final Map<String, String> routes;

    TestRewrite(Map<String, String> routes) {
        this.routes = routes;
    }

    @Override
    public String rewrite(RewriteContext context, String address) {
        return address;
    }

    @Override
    public Resolution resolve(String sender, String address) {
        String domain = address.substring(address.lastIndexOf('@') + 1);
        if (domain.equals("fail.test")) return new Resolution("CHANNEL NOT UPDATED", "", address, ResolveFlags.FAIL);
        if (domain.equals("bad.test")) return new Resolution("CHANNEL NOT UPDATED", "", address, ResolveFlags.ERROR);
        String route = routes.getOrDefault(domain, "smtp:" + domain);
        int colon = route.indexOf(':');
        return new Resolution(route.substring(0, colon), route.substring(colon + 1), address, ResolveFlags.CLASS_DEFAULT);
    }

    @Override
    public Resolution resolveForVerify(String sender, String address) {
        return resolve(sender, address);
    }
}
