package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegexpTableTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private RegexpTable table(String type, String text) throws IOException, TableException {
        Path file = dir.resolve("t" + System.nanoTime());
        Files.writeString(file, text);
        return RegexpTable.open(type, file.toString(), warnings::add);
    }

    private RegexpTable regexp(String text) throws Exception {
        return table("regexp", text);
    }

    private RegexpTable pcre(String text) throws Exception {
        return table("pcre", text);
    }

    @Test
    void firstMatchWinsAndNothingMatchesGivesNull() throws Exception {
        RegexpTable t = regexp("/^a/ first\n/^ab/ second\n");
        assertThat(t.lookup("abc")).isEqualTo("first");
        assertThat(t.lookup("xyz")).isNull();
        assertThat(t.fixedKeys()).isFalse();
        assertThat(t.name()).startsWith("regexp:");
    }

    @Test
    void commentsBlankLinesAndContinuationLines() throws Exception {
        RegexpTable t = pcre("# comment\n\n   \n/^noddy$/\n 550 This user\n # inner comment\n\tis funny\n/x/ y\n");
        assertThat(t.lookup("noddy")).isEqualTo("550 This user\tis funny");
        assertThat(t.lookup("x")).isEqualTo("y");
        assertThat(warnings).isEmpty();
    }

    @Test
    void logicalLineStartingWithWhiteSpaceIsDroppedWithWarning() throws Exception {
        RegexpTable t = regexp("  /x/ y\n/z/ w\n");
        assertThat(t.lookup("x")).isNull();
        assertThat(t.lookup("z")).isEqualTo("w");
        assertThat(warnings).singleElement().asString().contains("logical line must not start with whitespace");
    }

    @Test
    void anyDelimiterAndEscapedDelimiter() throws Exception {
        RegexpTable t = regexp("|a\\|b| pipe\n~^[[:alnum:]+/]{4,}$~ b64\n#comment\n,^c/d$, slash\n");
        assertThat(t.lookup("a|b")).isEqualTo("pipe");
        assertThat(t.lookup("QUJD")).isEqualTo("b64");
        assertThat(t.lookup("c/d")).isEqualTo("slash");
    }

    @Test
    void substitutionForms() throws Exception {
        RegexpTable t = regexp("/^(.*)@(.*)$/ $1 ${2} $(1)$$ $$1\n");
        assertThat(t.lookup("joe@example.org")).isEqualTo("joe example.org joe$ $1");
    }

    @Test
    void groupThatDidNotTakePartOrIsEmptyAddsNothing() throws Exception {
        RegexpTable t = pcre("/^(a)|(b)$/ [$1][$2]\n/^x(y*)z$/ <$1>\n");
        assertThat(t.lookup("a")).isEqualTo("[a][]");
        assertThat(t.lookup("b")).isEqualTo("[][b]");
        assertThat(t.lookup("xz")).isEqualTo("<>");
    }

    @Test
    void badSubstitutionsSkipTheRuleAtOpen() throws Exception {
        RegexpTable t = regexp("/^(a)$/ $2\n/^(a)$/ $0\n/^(a)$/ x$\n/^(a)$/ $1x\n/^(a)$/ ${1\n!/^(a)$/ $1\n/^(a)$/ ok $1\n");
        assertThat(t.lookup("a")).isEqualTo("ok a");
        assertThat(warnings).anyMatch(w -> w.endsWith("line 1: out of range replacement index \"2\": skipping this rule"))
                .anyMatch(w -> w.endsWith("line 2: out-of-range replacement index \"0\""))
                .anyMatch(w -> w.startsWith("empty macro name"))
                .anyMatch(w -> w.endsWith("line 4: non-numeric replacement index \"1x\""))
                .anyMatch(w -> w.startsWith("truncated macro reference"))
                .anyMatch(w -> w.endsWith("line 6: $number found in negative match replacement text: skipping this rule"));
        assertThat(warnings.stream().filter(w -> w.contains("bad replacement syntax: skipping this rule"))).hasSize(4);
    }

    @Test
    void negationAndDoubleNegation() throws Exception {
        RegexpTable t = regexp("!/^a/ not-a\n!!/^b/ b\n");
        assertThat(t.lookup("abc")).isNull();
        assertThat(t.lookup("bcd")).isEqualTo("not-a");
        RegexpTable u = regexp("!!/^b/ b\n");
        assertThat(u.lookup("bcd")).isEqualTo("b");
    }

    @Test
    void secondPatternOfTheOldForm() throws Exception {
        RegexpTable t = regexp("/^a/!/b$/ a-not-b\n");
        assertThat(t.lookup("ax")).isEqualTo("a-not-b");
        assertThat(t.lookup("ab")).isNull();
    }

    @Test
    void ifEndifNestingAndNegation() throws Exception {
        RegexpTable t = regexp("if /@example\\.com$/\nif !/^admin@/\n/^(.*)@/ user $1\nendif\n/./ admin\nENDIF\n/./ other\n");
        assertThat(t.lookup("joe@example.com")).isEqualTo("user joe");
        assertThat(t.lookup("admin@example.com")).isEqualTo("admin");
        assertThat(t.lookup("joe@example.org")).isEqualTo("other");
    }

    @Test
    void missingEndifWarnsAndEndsTheSearch() throws Exception {
        RegexpTable t = regexp("/^z/ z\nif /^a/\n/b/ ab\n");
        assertThat(warnings).containsExactly("regexp map " + t.name().substring(7) + ", line 2: IF has no matching ENDIF");
        assertThat(t.lookup("ab")).isEqualTo("ab");
        assertThat(t.lookup("xb")).isNull();
    }

    @Test
    void endifWithoutIfAndUnknownRequestsAreIgnored() throws Exception {
        RegexpTable t = regexp("endif\nfoo bar\nif /a/ extra\n/a/ A\nendif x\n");
        assertThat(t.lookup("a")).isEqualTo("A");
        assertThat(warnings).anyMatch(w -> w.endsWith("line 1: ignoring ENDIF without matching IF"))
                .anyMatch(w -> w.endsWith("line 2: ignoring unrecognized request"))
                .anyMatch(w -> w.endsWith("line 3: ignoring extra text after IF statement: \"extra\""))
                .anyMatch(w -> w.endsWith("line 5: ignoring extra text after ENDIF"));
    }

    @Test
    void syntaxErrorsNameFileAndLineAndSkipTheRule() throws Exception {
        RegexpTable t = regexp("/^(a$/ x\n/nodelim y\n/a/q y\n/b/\n/^ok$/ ok\n");
        String map = t.name().substring("regexp:".length());
        assertThat(warnings).contains("regexp map " + map + ", line 1: Unmatched ( or \\(",
                "regexp map " + map + ", line 2: no closing regexp delimiter \"/\": skipping this rule",
                "regexp map " + map + ", line 3: unknown regexp option \"q\": skipping this rule",
                "regexp map " + map + ", line 4: no replacement text: using empty string");
        assertThat(t.lookup("ok")).isEqualTo("ok");
        assertThat(t.lookup("b")).isEmpty();
    }

    @Test
    void pcreErrorsAndObsoleteFlag() throws Exception {
        RegexpTable t = pcre("/^(a$/ x\n/a/X y\n/nodelim y\n");
        assertThat(warnings).anyMatch(w -> w.contains("line 1: error in regex"))
                .anyMatch(w -> w.endsWith("line 2: ignoring obsolete regexp option \"X\""))
                .anyMatch(w -> w.endsWith("line 3: no closing regexp delimiter \"/\": ignoring this rule"));
        assertThat(t.lookup("a")).isEqualTo("y");
    }

    @Test
    void caseFlagToggles() throws Exception {
        RegexpTable t = regexp("/^Exact$/i sensitive\n/^any$/ insensitive\n/^twice$/ii twice\n");
        assertThat(t.lookup("Exact")).isEqualTo("sensitive");
        assertThat(t.lookup("exact")).isNull();
        assertThat(t.lookup("ANY")).isEqualTo("insensitive");
        assertThat(t.lookup("TWICE")).isEqualTo("twice");
        RegexpTable p = pcre("/^Exact$/i sensitive\n/^(?i)mixed$/i inline\n");
        assertThat(p.lookup("EXACT")).isNull();
        assertThat(p.lookup("MIXED")).isEqualTo("inline");
    }

    @Test
    void regexpNewlineFlag() throws Exception {
        RegexpTable t = regexp("/^b$/m line\n/^a.c$/ dot\n/^d[^x]e$/ neg\n/^f$/ end\n");
        assertThat(t.lookup("a\nb")).isEqualTo("line");
        assertThat(t.lookup("a\nc")).isEqualTo("dot");
        assertThat(t.lookup("d\ne")).isEqualTo("neg");
        assertThat(t.lookup("f\n")).isNull();
        RegexpTable m = regexp("/^a.c$/m dot\n/^d[^x]e$/m neg\n/^$/m empty\n");
        assertThat(m.lookup("a\nc")).isNull();
        assertThat(m.lookup("d\ne")).isNull();
        assertThat(m.lookup("x\n")).isEqualTo("empty");
    }

    @Test
    void pcreFlags() throws Exception {
        RegexpTable t = pcre("/^a.b$/s nodot\n/^x$/E endonly\n/^y$/ dollar\n/y:/A anchored\n/^(a+)(a*)$/U lazy $1 $2\n"
                + "/^ (s) p $/x ext $1\n/^l2$/m multi\n");
        assertThat(t.lookup("a\nb")).isNull();
        assertThat(t.lookup("x\n")).isNull();
        assertThat(t.lookup("y\n")).isEqualTo("dollar");
        assertThat(t.lookup("y: z")).isEqualTo("anchored");
        assertThat(t.lookup("x y: z")).isNull();
        assertThat(t.lookup("aaa")).isEqualTo("lazy a aa");
        assertThat(t.lookup("sp")).isEqualTo("ext s");
        assertThat(t.lookup("l1\nl2")).isEqualTo("multi");
    }

    @Test
    void keysAndResultsAreBytes() throws Exception {
        RegexpTable t = regexp("/^..$/ two bytes\n/^(.*)ü$/ u-umlaut $1\n");
        assertThat(t.lookup("é")).isEqualTo("two bytes");
        assertThat(t.lookup("naïü")).isEqualTo("u-umlaut naï");
        RegexpTable p = pcre("/^É$/ upper\n");
        assertThat(p.lookup("é")).isNull();
        assertThat(p.lookup("É")).isEqualTo("upper");
    }

    @Test
    void glibcReportsTheLongestMatch() throws Exception {
        RegexpTable t = regexp("/^(a|ab)(c|bcd)?/ $1:$2\n/x(foo|foobar)(.*)$/ $1:$2\n");
        assertThat(t.lookup("abcd")).isEqualTo("a:bcd");
        assertThat(t.lookup("xfoobarbaz")).isEqualTo("foo:barbaz");
        RegexpTable u = regexp("/(a|ab)/ $1\n");
        assertThat(u.lookup("abc")).isEqualTo("ab");
        RegexpTable p = pcre("/(a|ab)/ $1\n");
        assertThat(p.lookup("abc")).isEqualTo("a");
    }

    @Test
    void unsupportedPcreFeaturesFailTheOpen() {
        for (String re : List.of("/(a)(?1)/ x", "/(?R)/ x", "/(?|(a)|(b))/ x", "/(?(1)a|b)/ x", "/(*COMMIT)a/ x",
                "/a(*SKIP)b/ x", "/(?&n)/ x", "/\\g<1>/ x", "/(?<n>a)(?<n>b)/ x", "/[\\p{Lu}x]/ x")) {
            assertThatThrownBy(() -> pcre(re + "\n")).as(re).isInstanceOf(TableException.class)
                    .hasMessageContaining("line 1: ").hasMessageContaining("not supported");
        }
    }

    @Test
    void openErrors() {
        assertThatThrownBy(() -> RegexpTable.open("regexp", dir.resolve("missing").toString(), w -> { }))
                .isInstanceOf(TableException.class).hasMessageEndingWith("missing: No such file or directory");
        assertThatThrownBy(() -> RegexpTable.open("cidr", "x", w -> { })).isInstanceOf(TableException.class);
    }

    @Test
    void inlineTables() throws Exception {
        RegexpTable t = RegexpTable.open("regexp", "{ {/^(.*)@bar$/ u=$1}, { if /x/ }, {/y/ xy}, {endif} }", warnings::add);
        assertThat(t.lookup("foo@bar")).isEqualTo("u=foo");
        assertThat(t.lookup("xy")).isEqualTo("xy");
        assertThat(t.lookup("y")).isNull();
        assertThat(t.name()).isEqualTo("regexp:{ {/^(.*)@bar$/ u=$1}, { if /x/ }, {/y/ xy}, {endif} }");
        assertThat(RegexpTable.open("pcre", "{ {/x/ y, z} }", warnings::add).lookup("x")).isEqualTo("y, z");
        assertThat(RegexpTable.open("pcre", "{ }", warnings::add).lookup("x")).isNull();
        assertThatThrownBy(() -> RegexpTable.open("pcre", "{/x/ y}", w -> { }))
                .hasMessage("pcre map: no '{' at start of text in \"/x/\"");
        assertThatThrownBy(() -> RegexpTable.open("pcre", "{ {/x/ y}} x", w -> { }))
                .hasMessage("pcre map: syntax error after '}' in \"{ {/x/ y}} x\"");
        assertThatThrownBy(() -> RegexpTable.open("regexp", "{ {/x/ y} ", w -> { }))
                .hasMessage("regexp map: missing '}' in \"{ {/x/ y} \"");
    }

    @Test
    void inlineWarningsNameTheInlineText() throws Exception {
        RegexpTable.open("pcre", "{ {/x/z y} }", warnings::add);
        assertThat(warnings).containsExactly("pcre map { {/x/z y} }, line 1: unknown regexp option \"z\": skipping this rule");
    }

    @Test
    void stackOverflowCountsAsNoMatch() throws Exception {
        RegexpTable t = pcre("/^(a|b)*$/ deep\n/./ fallback\n");
        String key = "ab".repeat(200_000);
        assertThat(t.lookup(key)).isEqualTo("fallback");
        assertThat(warnings).anyMatch(w -> w.contains("line 1: ") && w.contains("stack overflow"));
    }
}
