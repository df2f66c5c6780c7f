package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class RegexpSyntaxTest {
    /** Whether the POSIX ERE (or BRE) re finds a match in s, compiled as RegexpTable does. */
    private static boolean ere(String re, String s) throws RegexpPatternError {
        return find(re, true, false, s);
    }

    private static boolean bre(String re, String s) throws RegexpPatternError {
        return find(re, false, false, s);
    }

    private static boolean find(String re, boolean extended, boolean newline, String s) throws RegexpPatternError {
        RegexpSyntax.Translation t = RegexpSyntax.translate(re, extended, newline);
        int flags = Pattern.UNIX_LINES | (newline ? 0 : Pattern.DOTALL);
        return Pattern.compile(t.regex(), flags).matcher(s).find();
    }

    private static String error(String re, boolean extended) {
        try {
            RegexpSyntax.translate(re, extended, false);
            return null;
        } catch (RegexpPatternError e) {
            return e.getMessage();
        }
    }

    @Test
    void bracketWithLeadingCloseAndLiteralBackslash() throws Exception {
        assertThat(ere("^[]a]+$", "]a]")).isTrue();
        assertThat(ere("^[^]a]$", "]")).isFalse();
        assertThat(ere("^[\\d]+$", "\\d")).isTrue();
        assertThat(ere("^[\\d]+$", "1")).isFalse();
        assertThat(ere("^[a-]+$", "a-")).isTrue();
        assertThat(ere("^[[&&]+$", "[&")).isTrue();
    }

    @Test
    void posixClassesCollatingSymbolsAndEquivalenceClasses() throws Exception {
        assertThat(ere("^[[:alpha:][:digit:]]+$", "ab12")).isTrue();
        assertThat(ere("^[[:punct:]]$", "!")).isTrue();
        assertThat(ere("^[[:space:]]$", "\u000b")).isTrue();
        assertThat(ere("^[[:blank:]]$", "\n")).isFalse();
        assertThat(ere("^[[:xdigit:]]+$", "0fA")).isTrue();
        assertThat(ere("^[[.-.]a]+$", "-a")).isTrue();
        assertThat(ere("^[[=e=]]$", "e")).isTrue();
        assertThat(error("[[:nope:]]", true)).isEqualTo(RegexpSyntax.ERR_CLASS);
        assertThat(error("[[.hyphen.]]", true)).isEqualTo(RegexpSyntax.ERR_COLLATE);
        assertThat(error("[[:alpha:]-z]", true)).isEqualTo(RegexpSyntax.ERR_RANGE);
        assertThat(error("[z-a]", true)).isEqualTo(RegexpSyntax.ERR_RANGE);
        assertThat(error("[abc", true)).isEqualTo(RegexpSyntax.ERR_BRACKET);
    }

    @Test
    void intervals() throws Exception {
        assertThat(ere("^a{2}$", "aa")).isTrue();
        assertThat(ere("^a{,2}$", "aa")).isTrue();
        assertThat(ere("^a{,2}$", "aaa")).isFalse();
        assertThat(ere("^a{2,}$", "aaaa")).isTrue();
        assertThat(error("a{x}", true)).isEqualTo(RegexpSyntax.ERR_INTERVAL);
        assertThat(error("a{3,2}", true)).isEqualTo(RegexpSyntax.ERR_INTERVAL);
        assertThat(error("a{2", true)).isEqualTo(RegexpSyntax.ERR_BRACE);
        assertThat(error("{2}", true)).isEqualTo(RegexpSyntax.ERR_PRECEDING);
        assertThat(error("a{40000}", true)).isEqualTo(RegexpSyntax.ERR_TOO_BIG);
    }

    @Test
    void stackedRepetitionIsNotLazy() throws Exception {
        RegexpSyntax.Translation t = RegexpSyntax.translate("^(a+?)(a*)$", true, false);
        var m = Pattern.compile(t.regex()).matcher("aaa");
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo("aaa");
        assertThat(ere("^a**$", "aaa")).isTrue();
        assertThat(error("*a", true)).isEqualTo(RegexpSyntax.ERR_PRECEDING);
        assertThat(error("a|*b", true)).isEqualTo(RegexpSyntax.ERR_PRECEDING);
    }

    @Test
    void gnuEscapes() throws Exception {
        assertThat(ere("^\\w+\\s\\W$", "ab_1 !")).isTrue();
        assertThat(ere("\\<foo\\>", "a foo b")).isTrue();
        assertThat(ere("\\<foo\\>", "afoo")).isFalse();
        assertThat(ere("\\bfoo\\B", "foox")).isTrue();
        assertThat(ere("^\\`a", "ab")).isTrue();
        assertThat(ere("b\\'", "ab")).isTrue();
        assertThat(ere("^\\d$", "d")).isTrue();
        assertThat(ere("^\\d$", "1")).isFalse();
        assertThat(error("ab\\", true)).isEqualTo(RegexpSyntax.ERR_ESCAPE);
    }

    @Test
    void backReferences() throws Exception {
        assertThat(ere("^(a)\\1$", "aa")).isTrue();
        assertThat(ere("^(a)\\10$", "aa0")).isTrue();
        assertThat(error("\\1(a)", true)).isEqualTo(RegexpSyntax.ERR_BACKREF);
        assertThat(error("(a\\1)", true)).isEqualTo(RegexpSyntax.ERR_BACKREF);
    }

    @Test
    void groupsAndParentheses() throws Exception {
        assertThat(RegexpSyntax.translate("((a)|(b))()", true, false).groups()).isEqualTo(4);
        assertThat(ere("^a)$", "a)")).isTrue();
        assertThat(error("(a", true)).isEqualTo(RegexpSyntax.ERR_PAREN);
        assertThat(ere("^(a||b)$", "")).isTrue();
    }

    @Test
    void anchorsOnlyAtTheEndsUnlessNewline() throws Exception {
        assertThat(ere("^x$", "x\n")).isFalse();
        assertThat(ere("a^b", "a^b")).isFalse();
        assertThat(find("^b$", true, true, "a\nb\nc")).isTrue();
        assertThat(find("^$", true, true, "x\n")).isTrue();
        assertThat(find("a.b", true, true, "a\nb")).isFalse();
        assertThat(find("a[^x]b", true, true, "a\nb")).isFalse();
        assertThat(ere("a.b", "a\nb")).isTrue();
    }

    @Test
    void basicSyntax() throws Exception {
        assertThat(bre("^\\(a\\)\\1$", "aa")).isTrue();
        assertThat(bre("^(a)$", "(a)")).isTrue();
        assertThat(bre("^a+$", "a+")).isTrue();
        assertThat(bre("^a\\+$", "aa")).isTrue();
        assertThat(bre("^a\\?b$", "b")).isTrue();
        assertThat(bre("^a\\|b$", "b")).isTrue();
        assertThat(bre("^a{2}$", "a{2}")).isTrue();
        assertThat(bre("^a\\{2\\}$", "aa")).isTrue();
        assertThat(bre("^*a$", "*a")).isTrue();
        assertThat(bre("\\(*a\\)", "*a")).isTrue();
        assertThat(bre("a^b$c", "a^b$c")).isTrue();
        assertThat(error("\\(a", false)).isEqualTo(RegexpSyntax.ERR_PAREN);
        assertThat(error("a\\)", false)).isEqualTo(RegexpSyntax.ERR_RPAREN);
    }

    @Test
    void literalsAreQuotedForJava() throws Exception {
        assertThat(ere("^a&&b#c\"$", "a&&b#c\"")).isTrue();
        assertThat(ere("^é$", "é")).isTrue();
        assertThat(ere("^\\.$", "x")).isFalse();
    }
}
