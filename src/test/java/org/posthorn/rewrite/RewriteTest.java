package org.posthorn.rewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.posthorn.rewrite.RewriteContext.LOCAL;
import static org.posthorn.rewrite.RewriteContext.REMOTE;

import org.junit.jupiter.api.Test;

class RewriteTest {
    @Test
    void appendsMyoriginToBareNamesInTheLocalContext() throws Exception {
        TrivialRewrite r = Fixtures.rewriter();
        assertThat(r.rewrite(LOCAL, "user")).isEqualTo("user@host.example.test");
        assertThat(r.rewrite(LOCAL, "user@elsewhere")).isEqualTo("user@elsewhere");
        assertThat(Fixtures.rewriter("myorigin", "origin.example").rewrite(LOCAL, "user"))
                .isEqualTo("user@origin.example");
        assertThat(Fixtures.rewriter("append_at_myorigin", "no").rewrite(LOCAL, "user")).isEqualTo("user");
    }

    @Test
    void remoteContextUsesRemoteHeaderRewriteDomainOrNothing() throws Exception {
        assertThat(Fixtures.rewriter().rewrite(REMOTE, "user")).isEqualTo("user");
        TrivialRewrite r = Fixtures.rewriter("remote_header_rewrite_domain", "domain.invalid",
                "append_dot_mydomain", "yes");
        assertThat(r.rewrite(REMOTE, "user")).isEqualTo("user@domain.invalid");
        assertThat(r.rewrite(REMOTE, "user@host")).isEqualTo("user@host.domain.invalid");
        assertThat(r.rewrite(LOCAL, "user@host")).isEqualTo("user@host.example.test");
    }

    @Test
    void appendDotMydomainOnlyToDotlessNames() throws Exception {
        TrivialRewrite r = Fixtures.rewriter("append_dot_mydomain", "yes");
        assertThat(r.rewrite(LOCAL, "user@host")).isEqualTo("user@host.example.test");
        assertThat(r.rewrite(LOCAL, "user@host.sub")).isEqualTo("user@host.sub");
        assertThat(r.rewrite(LOCAL, "user@[127.0.0.1]")).isEqualTo("user@[127.0.0.1]");
        assertThat(r.rewrite(LOCAL, "user@")).isEqualTo("user@");
        assertThat(Fixtures.rewriter().rewrite(LOCAL, "user@host")).isEqualTo("user@host");
    }

    @Test
    void bangPathsAndPercentHack() throws Exception {
        TrivialRewrite r = Fixtures.rewriter();
        assertThat(r.rewrite(LOCAL, "host!user")).isEqualTo("user@host");
        assertThat(r.rewrite(LOCAL, "a!b!user")).isEqualTo("b!user@a");
        assertThat(r.rewrite(LOCAL, "user%host")).isEqualTo("user@host");
        assertThat(r.rewrite(LOCAL, "a%b%c")).isEqualTo("a%b@c");
        assertThat(r.rewrite(LOCAL, "host!user@there")).as("only without @").isEqualTo("host!user@there");
        TrivialRewrite off = Fixtures.rewriter("swap_bangpath", "no", "allow_percent_hack", "no");
        assertThat(off.rewrite(LOCAL, "host!user")).isEqualTo("host!user@host.example.test");
        assertThat(off.rewrite(LOCAL, "user%host")).isEqualTo("user%host@host.example.test");
    }

    @Test
    void sourceRoutesAreStripped() throws Exception {
        TrivialRewrite r = Fixtures.rewriter();
        assertThat(r.rewrite(LOCAL, "@a,@b:user@c")).isEqualTo("user@c");
        assertThat(r.rewrite(LOCAL, "@a:user")).isEqualTo("user@host.example.test");
        assertThat(r.rewrite(LOCAL, "@a,@b:")).as("nothing after the colon").isEqualTo("@a, @b:\"\"");
    }

    @Test
    void nullAddressAndLoneAt() throws Exception {
        TrivialRewrite r = Fixtures.rewriter();
        assertThat(r.rewrite(LOCAL, "")).isEqualTo("");
        assertThat(r.rewrite(LOCAL, "@")).isEqualTo("\"\"");
        assertThat(r.rewrite(LOCAL, "\"\"")).isEqualTo("\"\"");
    }

    @Test
    void trailingDotIsRemovedOnce() throws Exception {
        TrivialRewrite r = Fixtures.rewriter();
        assertThat(r.rewrite(LOCAL, "user@example.com.")).isEqualTo("user@example.com");
        assertThat(r.rewrite(LOCAL, "user@example.com..")).isEqualTo("user@example.com..");
        assertThat(r.rewrite(LOCAL, "user@.")).isEqualTo("user@.");
    }

    @Test
    void quotingIsNormalised() throws Exception {
        TrivialRewrite r = Fixtures.rewriter();
        assertThat(r.rewrite(LOCAL, "\"a b\"@x")).isEqualTo("\"a b\"@x");
        assertThat(r.rewrite(LOCAL, "a b@x")).isEqualTo("\"a b\"@x");
        assertThat(r.rewrite(LOCAL, "\"ab\"@x")).as("needless quotes go").isEqualTo("ab@x");
        assertThat(r.rewrite(LOCAL, "(comment) user@x")).isEqualTo("\"(comment) user\"@x");
    }
}
