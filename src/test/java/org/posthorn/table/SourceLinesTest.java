package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceLinesTest {
    private final List<String> warnings = new ArrayList<>();

    private List<SourceLines.Line> read(String text) throws Exception {
        return SourceLines.read(new BufferedReader(new StringReader(text)), "src", warnings::add);
    }

    @Test
    void joinsContinuationLinesKeepingTheirWhiteSpaceAndSkipsComments() throws Exception {
        List<SourceLines.Line> lines = read("k1 a\n  b\n# c\n\n   \n\tc\nk2 v \r\n#x\nk3 y\n");
        assertThat(lines).containsExactly(
                new SourceLines.Line(1, "k1 a  b\tc"),
                new SourceLines.Line(7, "k2 v"),
                new SourceLines.Line(9, "k3 y"));
        assertThat(warnings).isEmpty();
    }

    @Test
    void leadingWhiteSpaceWithoutALogicalLineIsWarnedAndSkipped() throws Exception {
        assertThat(read("  lead value\nk v\n")).containsExactly(new SourceLines.Line(2, "k v"));
        assertThat(warnings).containsExactly("src: logical line must not start with whitespace: \"  lead value\"");
    }

    @Test
    void splitsKeyAndValue() throws Exception {
        assertThat(KeyValue.parse("key  value with  spaces")).isEqualTo(new KeyValue("key", "value with  spaces"));
        assertThat(KeyValue.parse("\"a b\" v")).isEqualTo(new KeyValue("\"a b\"", "v"));
        assertThat(KeyValue.parse("\"k\\\"4\"\tv")).isEqualTo(new KeyValue("\"k\\\"4\"", "v"));
        assertThat(KeyValue.parse("k \"quoted value\"")).isEqualTo(new KeyValue("k", "\"quoted value\""));
    }

    @Test
    void reportsBadLinesInPostfixWords() {
        assertThatThrownBy(() -> KeyValue.parse("novalue")).hasMessage("expected format: key whitespace value");
        assertThatThrownBy(() -> KeyValue.parse("\"open v")).hasMessage("unbalanced '\"' in '\"open v'");
    }
}
