package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.posthorn.config.Config;

/** The query and result templates of SQL and memcache tables, expanded as Postfix's db_common does. */
class DbTemplateTest {
    private final List<String> warnings = new ArrayList<>();
    private static final UnaryOperator<String> QUOTE = s -> s.replace("'", "''");

    private DbTemplate template(String query, String result, String domain) throws TableException {
        return new DbTemplate("pgsql:/etc/x.cf", query, result, domain, warnings::add);
    }

    @Test
    void queryExpansions() throws TableException {
        DbTemplate t = template("%s|%u|%d|%1|%2|%S|%U|%D|%%", null, null);
        assertThat(t.query("o'neil@mail.example.com", QUOTE))
                .isEqualTo("o''neil@mail.example.com|o''neil|mail.example.com|com|example|o''neil@mail.example.com|o''neil|mail.example.com|%");
    }

    @Test
    void keysWithoutTheNeededPartsAreNotLookedUp() throws TableException {
        assertThat(template("%d", null, null).query("user", QUOTE)).isNull();
        assertThat(template("%d", null, null).query("user@", QUOTE)).isNull();
        assertThat(template("%u", null, null).query("@example.com", QUOTE)).isNull();
        assertThat(template("%u", null, null).query("user", QUOTE)).isEqualTo("user");
        assertThat(template("%3", null, null).query("u@example.com", QUOTE)).isNull();
        assertThat(template("%2", null, null).query("u@example..com", QUOTE)).isEqualTo("example");
        assertThat(template("%s", null, null).accepts("")).isFalse();
        assertThat(template("%d", null, null).accepts("user")).isFalse();
        assertThat(template("%d", null, null).accepts("user@example.com")).isTrue();
        assertThat(warnings).containsExactly("table \"pgsql:/etc/x.cf\": empty query string -- ignored");
    }

    @Test
    void resultFormatUsesValueAndKey() throws TableException {
        DbTemplate t = template("%s", "%s %u %d %S %U %D", null);
        StringBuilder out = new StringBuilder();
        assertThat(t.appendResult(out, "a@x.test", "k@y.test")).isTrue();
        assertThat(t.appendResult(out, "no-at", "k@y.test")).isFalse(); // %d needs a domain in the value
        assertThat(t.appendResult(out, null, "k@y.test")).isFalse();
        assertThat(t.appendResult(out, "b@z.test", "k@y.test")).isTrue();
        assertThat(out).hasToString("a@x.test a x.test k@y.test k y.test,b@z.test b z.test k@y.test k y.test");
        assertThat(t.appendResult(out, "", "k@y.test")).isFalse();
        assertThat(warnings).containsExactly("table \"pgsql:/etc/x.cf\": empty lookup result for: \"k@y.test\" -- ignored");
    }

    @Test
    void badTemplatesAreRefusedAtOpen() {
        assertThatThrownBy(() -> template("SELECT %x", null, null))
                .hasMessage("db_common_parse: /etc/x.cf: Invalid query template: SELECT %x");
        assertThatThrownBy(() -> template("%s", "%q", null))
                .hasMessage("db_common_parse: /etc/x.cf: Invalid result template: %q");
    }

    @Test
    void domainListLimitsLookupsToUserAtListedDomain() throws TableException {
        DbTemplate t = template("%s", null, "example.com, !bad.example.com, other.test");
        Config config = Config.of(java.nio.file.Path.of("/nonexistent"), Map.of());
        assertThat(t.domainAllows("u@Example.COM", config)).isTrue();
        assertThat(t.domainAllows("u@other.test", config)).isTrue();
        assertThat(t.domainAllows("u@bad.example.com", config)).isFalse();
        assertThat(t.domainAllows("u@sub.example.com", config)).isFalse();
        assertThat(t.domainAllows("@example.com", config)).isFalse();
        assertThat(t.domainAllows("example.com", config)).isFalse();
        assertThat(template("%s", null, "").domainAllows("anything", config)).isTrue();
    }
}
