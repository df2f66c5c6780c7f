package org.posthorn.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.posthorn.config.Config;
import org.posthorn.table.Maps;
import org.posthorn.table.Table;

/** Lookup order, masquerading, header address rewriting and MIME helpers. */
class AddressRulesTest {
    static CleanupSettings settings(Map<String, String> values) {
        Map<String, String> m = new java.util.HashMap<>(values);
        m.putIfAbsent("myhostname", "host.example.com");
        m.putIfAbsent("mydomain", "example.com");
        return CleanupSettings.from(Config.of(Path.of("/nonexistent"), m));
    }

    /** The local domain of these tests ($myhostname). */
    static final org.posthorn.table.AddressLookup.LocalDomain LOCAL = d -> d.equalsIgnoreCase("host.example.com");

    /** A fixed-key (or pattern) table from a map, remembering the keys asked. */
    static final class MapTable implements Table {
        final Map<String, String> map;
        final boolean fixed;
        final List<String> asked = new ArrayList<>();

        MapTable(Map<String, String> map, boolean fixed) {
            this.map = map;
            this.fixed = fixed;
        }

        @Override
        public String name() {
            return "test:map";
        }

        @Override
        public String lookup(String key) {
            asked.add(key);
            // fixed-string tables fold keys to lower case themselves, as the shared factory's do
            return map.get(fixed ? key.toLowerCase(java.util.Locale.ROOT) : key);
        }

        @Override
        public boolean fixedKeys() {
            return fixed;
        }
    }

    @Test
    void lookupOrderUserAtDomainThenLocalUserThenAtDomain() throws Exception {
        CleanupSettings s = settings(Map.of("recipient_delimiter", "+"));
        MapTable t = new MapTable(Map.of("@example.net", "catchall@example.org"), true);
        AddressMaps maps = AddressMaps.of(new Maps("canonical_maps", List.of(t)), s, LOCAL, true);
        // an @domain match takes no extension with it (Postfix's mail_addr_find)
        assertThat(maps.find("Joe+ext@Example.NET")).isEqualTo("catchall@example.org");
        // the user part is not tried for a domain that is not local
        assertThat(t.asked).containsExactly("Joe+ext@Example.NET", "Joe@Example.NET", "@Example.NET");

        MapTable local = new MapTable(Map.of("joe", "joseph@example.org", "joe+ext@host.example.com", "full@x"), true);
        AddressMaps lm = AddressMaps.of(new Maps("virtual_alias_maps", List.of(local)), s, LOCAL, true);
        assertThat(lm.find("joe+ext@host.example.com")).isEqualTo("full@x");
        assertThat(lm.find("joe+other@host.example.com")).isEqualTo("joseph+other@example.org");
        assertThat(lm.find("joe@elsewhere.example")).isNull();
    }

    @Test
    void eachKeyIsTriedInEveryTableBeforeTheNextKey() throws Exception {
        CleanupSettings s = settings(Map.of());
        MapTable first = new MapTable(Map.of("@example.net", "first@x"), true);
        MapTable second = new MapTable(Map.of("a@example.net", "second@x"), true);
        AddressMaps maps = AddressMaps.of(new Maps("canonical_maps", List.of(first, second)), s, LOCAL, false);
        assertThat(maps.find("a@example.net")).isEqualTo("second@x");
    }

    @Test
    void patternTablesSeeOnlyTheFullAddress() throws Exception {
        CleanupSettings s = settings(Map.of());
        MapTable pattern = new MapTable(Map.of(), false);
        AddressMaps maps = AddressMaps.of(new Maps("canonical_maps", List.of(pattern)), s, LOCAL, false);
        assertThat(maps.find("Joe@host.example.com")).isNull();
        assertThat(pattern.asked).containsExactly("Joe@host.example.com");
    }

    @Test
    void atDomainResultKeepsTheUser() throws Exception {
        CleanupSettings s = settings(Map.of());
        MapTable t = new MapTable(Map.of("@old.example", "@new.example"), true);
        assertThat(AddressMaps.of(new Maps("x", List.of(t)), s, LOCAL, false).find("user@old.example")).isEqualTo("user@new.example");
        AddressMaps propagating = AddressMaps.of(new Maps("x", List.of(t)), settings(Map.of("recipient_delimiter", "+")), LOCAL, true);
        assertThat(propagating.find("user+x@old.example")).isEqualTo("user+x@new.example");
    }

    @Test
    void tableListsKeepBracesTogether() {
        assertThat(settings(Map.of("canonical_maps", "inline:{a=b, c=d}, hash:/etc/postfix/canonical")).canonicalMaps())
                .containsExactly("inline:{a=b, c=d}", "hash:/etc/postfix/canonical");
    }

    @Test
    void masquerading() {
        Masquerade m = new Masquerade(List.of("!sub.example.com", "example.com"), java.util.Set.of("root"));
        assertThat(m.apply("u@host.example.com")).isEqualTo("u@example.com");
        assertThat(m.apply("u@example.com")).isEqualTo("u@example.com");
        assertThat(m.apply("u@a.sub.example.com")).isEqualTo("u@a.sub.example.com");
        assertThat(m.apply("root@host.example.com")).isEqualTo("root@host.example.com");
        assertThat(m.apply("u@notexample.com")).isEqualTo("u@notexample.com");
    }

    @Test
    void headerAddressesAreReplacedInPlace() {
        java.util.function.UnaryOperator<String> up = a -> a.contains("@") ? a : a + "@d.example";
        assertThat(HeaderAddresses.rewrite(" \"Doe, John\" <jd>, x@y (Comment, here), plain", up))
                .isEqualTo(" \"Doe, John\" <jd@d.example>, x@y (Comment, here), plain@d.example");
        assertThat(HeaderAddresses.rewrite(" team: a, b;", up)).isEqualTo(" team: a@d.example, b@d.example;");
        assertThat(HeaderAddresses.rewrite(" (c) eve", up)).isEqualTo(" eve@d.example (c)");
        String same = " a@b.example";
        assertThat(HeaderAddresses.rewrite(same, up)).isSameAs(same);
    }

    @Test
    void rewrittenHeadersAreRefoldedUnderSeventyColumns() {
        assertThat(HeaderAddresses.fold("To", " aaaaaaaaaaaaaaaaaaaa@example.com,\n\tbbbbbbbbbbbbbbbbbbbb@example.com, cccccccccc@example.com"))
                .isEqualTo("To: aaaaaaaaaaaaaaaaaaaa@example.com,\n\tbbbbbbbbbbbbbbbbbbbb@example.com, cccccccccc@example.com");
    }

    @Test
    void headerStartAndDate() {
        assertThat(CleanupSubmission.isHeaderStart("Subject: x")).isTrue();
        assertThat(CleanupSubmission.isHeaderStart("Subject : x")).isTrue();
        assertThat(CleanupSubmission.isHeaderStart("X-Empty:")).isTrue();
        assertThat(CleanupSubmission.isHeaderStart("Not a header")).isFalse();
        assertThat(CleanupSubmission.isHeaderStart(":no name")).isFalse();
        assertThat(CleanupSubmission.isHeaderStart(" folded: x")).isFalse();
    }

    @Test
    void mimeBoundariesAndParameters() {
        assertThat(MimeTracker.parameter("multipart/mixed; charset=x; boundary=\"a b\"", "boundary")).isEqualTo("a b");
        assertThat(MimeTracker.parameter("multipart/mixed;boundary=abc;x=y", "boundary")).isEqualTo("abc");
        assertThat(MimeTracker.parameter("text/plain; xboundary=abc", "boundary")).isNull();
        MimeTracker m = new MimeTracker(100, 2048);
        m.header("content-type", "Content-Type: multipart/mixed; boundary=outer", CleanupSubmission.HeaderClass.PRIMARY);
        assertThat(m.endHeaders()).isFalse();
        assertThat(m.isBoundary("--outer")).isTrue();
        assertThat(m.inPartHeaders()).isTrue();
        m.header("content-type", "Content-Type: multipart/alternative; boundary=inner", CleanupSubmission.HeaderClass.MULTIPART);
        assertThat(m.endHeaders()).isFalse();
        assertThat(m.isBoundary("--inner")).isTrue();
        assertThat(m.inPartHeaders()).isTrue();
        assertThat(m.isBoundary("--outer--")).isTrue(); // closes the inner one too
        assertThat(m.inPartHeaders()).isFalse();
        assertThat(m.isBoundary("--inner")).isFalse();
        assertThat(m.isBoundary("--outer")).isFalse();
        m.header("content-type", "Content-Type: message/rfc822", CleanupSubmission.HeaderClass.MULTIPART);
        assertThat(m.endHeaders()).isTrue();
    }

    @Test
    void checkActionsParse() {
        assertThat(ContentCheck.parse("reject  some text")).isEqualTo(new ContentCheck.Action(ContentCheck.Verb.REJECT, "some text"));
        assertThat(ContentCheck.parse("OK")).isEqualTo(new ContentCheck.Action(ContentCheck.Verb.DUNNO, ""));
        assertThat(ContentCheck.parse("FROBNICATE")).isNull();
    }
}
