package org.posthorn.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The expansion forms of Postfix 3.7, each checked against Debian's postconf -x. */
class ExpanderTest {
    private static final Map<String, String> VALUES = Map.of("a", "x", "e", "", "b", "$e", "site", "example.com",
            "level", "3.6", "t9", "$t10", "t10", "$t9");

    private static String x(String text) {
        return Expander.expand(text, VALUES::get);
    }

    @Test
    void plainReferencesInAllThreeForms() {
        assertThat(x("$(a)$a${a}")).isEqualTo("xxx");
        assertThat(x("$a.b $a-c ${a}_d")).isEqualTo("x.b x-c x_d");
        assertThat(x("$a_d")).as("an undefined name is empty").isEmpty();
        assertThat(x("$$a")).isEqualTo("$a");
        assertThat(x("${ a }")).isEqualTo("x");
        assertThat(x("${a}}")).isEqualTo("x}");
    }

    @Test
    void conditionalsOnNonEmptyAndEmpty() {
        assertThat(x("${a?yes}|${e?yes}|${zz?yes}")).isEqualTo("yes||");
        assertThat(x("${a:no}|${e:no}|${zz:no}")).isEqualTo("|no|no");
        assertThat(x("${a?$a$a}")).isEqualTo("xx");
        assertThat(x("${a?x:y}")).as("without braces the value runs to the end").isEqualTo("x:y");
        assertThat(x("${b?set}")).as("the test looks at the unexpanded value").isEqualTo("set");
    }

    @Test
    void bracedValuesAndBothBranches() {
        assertThat(x("${a?{ brace }}|${e?{ brace }}")).isEqualTo("brace |");
        assertThat(x("${a?{v1}:{v2}}|${e?{v1}:{v2}}|${e?{v1}:v2}")).isEqualTo("v1|v2|v2");
        assertThat(x("${a?{$a}:{$e}} ${a}x")).isEqualTo("x xx");
        assertThat(x("${a?{x}:{y}}z ${e:{q}}w")).isEqualTo("xz qw");
        assertThat(x("${a?{ x } : { y } }|${e?{ x } : { y } }")).isEqualTo("x |y ");
        assertThat(x("${a?{$(a)}}")).isEqualTo("x");
        assertThat(x("${a?}|${e:}|${a?{x}:}|${e?{x}:}")).isEqualTo("||x|");
    }

    @Test
    void relationalExpressions() {
        assertThat(x("${{$a} == {x} ? {eq} : {ne}}")).isEqualTo("eq");
        assertThat(x("${{10} < {9} ? {lt} : {ge}}|${{abc} < {abd} ? {lt} : {ge}}")).isEqualTo("ge|lt");
        assertThat(x("${{010}=={10}?{y}:{n}}|${{10}>={9}?{y}:{n}}")).isEqualTo("y|y");
        assertThat(x("${{a}=={a}}|${{a}=={b}}|${{a}<{b}}")).isEqualTo("true||true");
        assertThat(x("${{x}=={x}:{y}}")).isEmpty();
        assertThat(x("${{x} != {y} ? yes}")).isEqualTo("yes");
        assertThat(x("${{ a  b } == {a b}?{y}:{n}}")).isEqualTo("n");
        assertThat(x("${{$b}=={}?{y}:{n}}")).isEqualTo("y");
    }

    @Test
    void compatibilityLevels() {
        assertThat(x("${{3.6} <level {3.10} ? {lt} : {ge}}")).isEqualTo("lt");
        assertThat(x("${{3.6}<=level{3.6}?{y}:{n}}|${{3.6.1}>level{3.6}?{y}:{n}}|${{3}<level{3.6}?{y}:{n}}"))
                .isEqualTo("y|y|y");
        assertThat(x("${{$level} <level {2} ? {subnet} : {host}}")).isEqualTo("host");
        assertThatThrownBy(() -> x("${{1.x}<level{2}?{y}:{n}}"))
                .hasMessage("malformed compatibility level syntax: \"1.x\"");
    }

    @Test
    void syntaxErrorsUsePostfixWording() {
        assertThatThrownBy(() -> x("${a")).hasMessage("truncated macro reference: \"${a\"");
        assertThatThrownBy(() -> x("a$")).hasMessage("empty macro name: \"a$\"");
        assertThatThrownBy(() -> x("${a?x:y}  $ $")).hasMessage("empty macro name: \"${a?x:y}  $ $\"");
        assertThatThrownBy(() -> x("${{a}==b}")).hasMessage("bad operator suffix at: \"...==>>>b\"");
        assertThatThrownBy(() -> x("${a!x}")).hasMessage("attribute name syntax error at: \"...a>>>!x\"");
        assertThatThrownBy(() -> x("${a?{x}y}")).hasMessage("\":\" expected at: \"...x}>>>y\"");
        assertThatThrownBy(() -> x("${a?{x}:{y}z}")).hasMessage("unexpected input at: \"...y}>>>z\"");
        assertThatThrownBy(() -> x("${{a}}")).hasMessageStartingWith("\"==\" or \"!=\"");
    }

    @Test
    void loopsStopAtTheNestingLimitNamingTheParameter() {
        assertThatThrownBy(() -> x("$t9")).isInstanceOf(ParameterException.class)
                .hasMessageMatching("unreasonable macro call nesting: \"t(9|10)\"");
    }

    @Test
    void scanVisitsEveryBranchWithoutLookingUp() {
        List<String> names = new ArrayList<>();
        Expander.scan("${a?{$b}:{$c}} ${{$d}=={x}?{$f}} $(g) ${h:$i}", names::add);
        assertThat(names).containsExactly("a", "b", "c", "d", "f", "g", "h", "i");
    }
}
