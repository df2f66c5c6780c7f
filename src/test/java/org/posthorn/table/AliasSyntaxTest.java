package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AliasSyntaxTest {
    /** Expected texts observed from Postfix 3.7's postalias -s. */
    @ParameterizedTest
    @CsvSource(delimiterString = " ~ ", quoteCharacter = '\'', value = {
        "v1: \"|/usr/bin/cmd arg\", :include:/etc/x, /var/mail/file ~ v1 ~ \"|/usr/bin/cmd arg\", :include:/etc/x, /var/mail/file",
        "v2: \\root, user (comment here), <a@b.c> ~ v2 ~ root, user (comment here), <a@b.c>",
        "v3: Name <a@b.c>,b@c.d ~ v3 ~ Name <a@b.c>, b@c.d",
        "v4:   a.b@c.d  ,   e@f.g    ~ v4 ~ a.b@c.d, e@f.g",
        "v5: a@[1.2.3.4], \"q\\\"x\"@y ~ v5 ~ a@[1.2.3.4], \"q\\\"x\"@y",
        "v7: x:y@z, group: a, b; ~ v7 ~ x:y@z, group:a, b;",
        "v9: a  b   c ~ v9 ~ a b c",
        "v10: a,b, ~ v10 ~ 'a, b, '",
        "v11: ,a ~ v11 ~ ', a'",
        "v12: \"unterminated ~ v12 ~ \"unterminated\"",
        "v13: (unterminated ~ v13 ~ (unterminated",
        "v14: <unterminated ~ v14 ~ <unterminated",
        "v16: :include:/x/y.txt,|/bin/sh,\"|foo\" ~ v16 ~ :include:/x/y.txt, |/bin/sh, \"|foo\"",
        "\"Q X\" : y ~ Q X ~ y",
        "x(comment): z ~ x (comment) ~ z",
        "a b: x ~ a b ~ x",
        "k: \"\" ~ k ~ \"\"",
    })
    void parsesAndRewritesAsPostalias(String line, String name, String value) throws Exception {
        assertThat(AliasSyntax.parse(line)).isEqualTo(new AliasSyntax.Alias(name, value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo bar", "empty:", ": novalue", "a,b: x"})
    void needsANameValuePair(String line) {
        assertThatThrownBy(() -> AliasSyntax.parse(line)).hasMessage("need name:value pair");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a%b: x", "c@d: x"})
    void needsALocalName(String line) {
        assertThatThrownBy(() -> AliasSyntax.parse(line)).hasMessage("name must be local");
    }
}
