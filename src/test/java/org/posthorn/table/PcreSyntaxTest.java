package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class PcreSyntaxTest {
    private static Matcher match(String re, String s) throws RegexpPatternError {
        PcreSyntax.Translation t = PcreSyntax.translate(re, false, false, false, false);
        Matcher m = Pattern.compile(t.regex(), Pattern.UNIX_LINES | Pattern.DOTALL).matcher(s);
        return m.find() ? m : null;
    }

    private static boolean finds(String re, String s) throws RegexpPatternError {
        return match(re, s) != null;
    }

    private static RegexpPatternError error(String re) {
        try {
            PcreSyntax.translate(re, false, false, false, false);
            return null;
        } catch (RegexpPatternError e) {
            return e;
        }
    }

    @Test
    void posixClassesAndWordBoundaries() throws Exception {
        assertThat(finds("^[[:alpha:]]+$", "abc")).isTrue();
        assertThat(finds("^[[:^digit:]]+$", "ab")).isTrue();
        assertThat(finds("^[[:^digit:]]+$", "a1")).isFalse();
        assertThat(finds("^[[:word:]x-]+$", "a_1-")).isTrue();
        assertThat(finds("[[:<:]]w", "sword")).isFalse();
        assertThat(finds("[[:<:]]w", "a word")).isTrue();
        assertThat(finds("d[[:>:]]", "words")).isFalse();
        assertThat(error("[:alpha:]").getMessage()).contains("only within a class");
        assertThat(error("[[:nope:]]").getMessage()).contains("unknown POSIX class");
        assertThat(error("[[.a.]]").getMessage()).contains("collating");
    }

    @Test
    void classesQuoteJavaOnlySyntax() throws Exception {
        assertThat(finds("^[a&&b]+$", "a&b")).isTrue();
        assertThat(finds("^[[]+$", "[[")).isTrue();
        assertThat(finds("^[]a]+$", "]a")).isTrue();
        assertThat(finds("^[\\d\\-x]+$", "1-x")).isTrue();
        assertThat(finds("^[\\b]$", "\b")).isTrue();
        assertThat(finds("^[\\Qa]\\E]+$", "a]")).isTrue();
        assertThat(error("[a-\\d]").getMessage()).contains("invalid range");
        assertThat(error("[z-a]").getMessage()).contains("out of order");
    }

    @Test
    void braceThatIsNoQuantifierIsLiteral() throws Exception {
        assertThat(finds("^a{,2}$", "a{,2}")).isTrue();
        assertThat(finds("^a{x}$", "a{x}")).isTrue();
        assertThat(finds("^a{2}$", "aa")).isTrue();
        assertThat(error("a{3,2}").getMessage()).contains("out of order");
        assertThat(error("a{70000}").getMessage()).contains("too big");
    }

    @Test
    void quantifierNeedsARepeatableItem() {
        assertThat(error("^*a")).isNotNull();
        assertThat(error("a|*b")).isNotNull();
        assertThat(error("(*a)")).isNotNull();
        assertThat(error("\\b+")).isNotNull();
    }

    @Test
    void ungreedyFlagAndInlineOption() throws Exception {
        PcreSyntax.Translation t = PcreSyntax.translate("^(a+)(a*?)$", false, true, false, false);
        Matcher m = Pattern.compile(t.regex()).matcher("aaa");
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo("a");
        assertThat(m.group(2)).isEqualTo("aa");
        Matcher inline = match("^(?U)(a+)(a*)$", "aaa");
        assertThat(inline.group(1)).isEqualTo("a");
        Matcher scoped = match("^(?U:(a+))(a*)$", "aaa");
        assertThat(scoped.group(1)).isEqualTo("a");
        assertThat(match("^(a++)$", "aa")).isNotNull();
    }

    @Test
    void extendedModeKeepsSpaceInClasses() throws Exception {
        PcreSyntax.Translation t = PcreSyntax.translate("^a [ ]b # comment", true, false, false, false);
        assertThat(Pattern.compile(t.regex()).matcher("a b").find()).isTrue();
        assertThat(finds("^(?x) a \\  b", "a b")).isTrue();
        assertThat(finds("^(?xx)[ a]+$", "aa")).isTrue();
        assertThat(finds("^a(?#note)b", "ab")).isTrue();
    }

    @Test
    void noAutoCaptureMode() throws Exception {
        PcreSyntax.Translation t = PcreSyntax.translate("(?n)(a)(?<x>b)", false, false, false, false);
        assertThat(t.groups()).isEqualTo(1);
    }

    @Test
    void dollarEndOnly() throws Exception {
        PcreSyntax.Translation plain = PcreSyntax.translate("x$", false, false, false, false);
        PcreSyntax.Translation endOnly = PcreSyntax.translate("x$", false, false, true, false);
        PcreSyntax.Translation multi = PcreSyntax.translate("x$", false, false, true, true);
        assertThat(Pattern.compile(plain.regex(), Pattern.UNIX_LINES).matcher("x\n").find()).isTrue();
        assertThat(Pattern.compile(endOnly.regex(), Pattern.UNIX_LINES).matcher("x\n").find()).isFalse();
        assertThat(Pattern.compile(multi.regex(), Pattern.UNIX_LINES | Pattern.MULTILINE).matcher("x\ny").find()).isTrue();
        assertThat(finds("x\\Z", "x\n")).isTrue();
        assertThat(finds("x\\z", "x\n")).isFalse();
    }

    @Test
    void namedGroupsAndReferencesBecomeNumbers() throws Exception {
        assertThat(finds("^(?<under_score>a)\\k<under_score>\\k'under_score'\\k{under_score}(?P=under_score)$", "aaaaa")).isTrue();
        assertThat(finds("^(?P<n>a)(?'m'b)\\g{n}\\g{m}$", "abab")).isTrue();
        assertThat(finds("^(a)(b)\\g{-1}\\g{-2}\\g1\\g{2}$", "abbaab")).isTrue();
        assertThat(finds("^(a)\\2?(b)$", "ab")).isTrue();
        assertThat(error("(a)\\k<nope>").getMessage()).contains("non-existent");
        assertThat(error("(a)\\2").getMessage()).contains("non-existent");
        assertThat(error("(a)\\g{0}").getMessage()).contains("zero");
    }

    @Test
    void numericEscapes() throws Exception {
        assertThat(finds("^\\x41\\x{42}\\103\\o{104}\\0105$", "ABCD\b5")).isTrue();
        assertThat(finds("^\\xA$", "\n")).isTrue();
        assertThat(finds("^\\cA$", "\u0001")).isTrue();
        assertThat(finds("^\\e\\a$", "\u001b\u0007")).isTrue();
        assertThat(finds("^(a)\\12$", "a\n")).isTrue();
        assertThat(error("\\x{100}").getMessage()).contains("too large");
    }

    @Test
    void escapesWithDifferentMeaningsInJava() throws Exception {
        assertThat(finds("^a\\Nb$", "axb")).isTrue();
        assertThat(finds("^a\\Nb$", "a\nb")).isFalse();
        assertThat(finds("^\\Qa.b*c\\E$", "a.b*c")).isTrue();
        assertThat(finds("^ab\\E$", "ab")).isTrue();
        assertThat(match("^(foo)\\Kbar", "foobar").group(1)).isEqualTo("foo");
        assertThat(finds("^a(?C1)b(?C\"x)\")c$", "abc")).isTrue();
        assertThat(finds("^a(*F)|b", "b")).isTrue();
        assertThat(error("\\u0041").getMessage()).contains("does not support");
        assertThat(error("\\q")).isNotNull();
        assertThat(error("\\i")).isNotNull();
    }

    @Test
    void properties() throws Exception {
        assertThat(finds("^\\p{L}+$", "ab")).isTrue();
        assertThat(finds("^\\pL\\PL$", "a1")).isTrue();
        assertThat(finds("^\\p{^L}$", "1")).isTrue();
        PcreSyntax.Translation t = PcreSyntax.translate("^\\p{Lu}$", false, false, false, false);
        assertThat(Pattern.compile(t.regex(), Pattern.CASE_INSENSITIVE).matcher("a").find()).isFalse();
        assertThat(error("\\p{Xan}").unsupported()).isTrue();
    }

    @Test
    void inlineOptions() throws Exception {
        assertThat(finds("^(?i)abc$", "ABC")).isTrue();
        assertThat(finds("^(?i:a)b$", "AB")).isFalse();
        assertThat(finds("^(?^)a$", "a")).isTrue();
        assertThat(error("(?d)a")).isNotNull();
        assertThat(error("(?J)(?<n>a)").unsupported()).isTrue();
    }

    @Test
    void constructsJavaCannotExpressAreUnsupported() {
        for (String re : new String[] {"(a)(?1)", "(?R)", "(?-1)", "(?+1)", "(?&n)", "(?P>n)", "\\g<1>", "\\g'1'",
                "(?|a|b)", "(?(1)a|b)", "(*UTF)a", "(*SKIP)", "(?<n>a)(?<n>b)"}) {
            RegexpPatternError e = error(re);
            assertThat(e).as(re).isNotNull();
            assertThat(e.unsupported()).as(re).isTrue();
        }
    }

    @Test
    void unbalancedParentheses() {
        assertThat(error("(a").getMessage()).contains("missing closing parenthesis");
        assertThat(error("a)").getMessage()).contains("unmatched closing parenthesis");
        assertThatThrownBy(() -> PcreSyntax.translate("a\\", false, false, false, false))
                .isInstanceOf(RegexpPatternError.class);
    }
}
