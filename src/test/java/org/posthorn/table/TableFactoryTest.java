package org.posthorn.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;

class TableFactoryTest {
    @TempDir
    Path dir;

    private final Config config = Config.of(Path.of("/nonexistent"), Map.of());

    private Table open(String spec) throws TableException {
        return TableFactory.openUncached(spec, config, true);
    }

    @AfterEach
    void forget() {
        TableFactory.clearCache();
    }

    @Test
    void inlineFoldsKeysAndKeepsGroupedValues() throws Exception {
        Table t = open("inline:{ Foo=bar, { k2 = v with spaces }, k3=a=b }");
        assertThat(t.lookup("FOO")).isEqualTo("bar");
        assertThat(t.lookup("k2")).isEqualTo("v with spaces");
        assertThat(t.lookup("k3")).isEqualTo("a=b");
        assertThat(t.lookup("k4")).isNull();
        assertThat(open("inline:{a=1, A=2, {=empty}}").lookup("a")).isEqualTo("2");
        assertThat(open("inline:{a=1, A=2, {=empty}}").lookup("")).isEqualTo("empty");
        assertThatThrownBy(() -> open("inline:{ {a b = c} }")).hasMessageStartingWith("missing '=' after attribute name");
        assertThat(t.entries()).extracting(Map.Entry::getKey).containsExactly("foo", "k2", "k3");
        Table exact = TableFactory.openUncached("inline:{X=1}", config, false);
        assertThat(exact.lookup("X")).isEqualTo("1");
        assertThat(exact.lookup("x")).isNull();
    }

    @Test
    void inlineSyntaxErrorsArePostfixs() {
        assertThatThrownBy(() -> open("inline:{ bad }"))
                .hasMessage("missing '=' after attribute name: \"inline:{ bad }\"; need \"inline:{name=value...}\"");
        assertThatThrownBy(() -> open("inline:{}")).hasMessage("bad syntax: \"inline:{}\"; need \"inline:{name=value...}\"");
        assertThatThrownBy(() -> open("inline:{ a=b")).hasMessage("bad syntax: \"inline:{ a=b\"; need \"inline:{name=value...}\"");
    }

    @Test
    void staticAnswersEveryKey() throws Exception {
        assertThat(open("static:val").lookup("anything")).isEqualTo("val");
        assertThat(open("static:{ v w }").lookup("x")).isEqualTo("v w");
        assertThat(open("static:val").entries()).isNull();
        assertThatThrownBy(() -> open("static:{v")).hasMessage("bad static:name syntax: missing '}' in \"{v\"");
        assertThatThrownBy(() -> open("static:"))
                .hasMessage("open dictionary: expecting \"type:name\" form instead of \"static:\"");
    }

    @Test
    void unionJoinsAndPipeChains() throws Exception {
        assertThat(open("unionmap:{inline:{x=1}, inline:{x=2}, static:3}").lookup("x")).isEqualTo("1,2,3");
        assertThat(open("unionmap:{inline:{x=1}, inline:{x=2}}").lookup("y")).isNull();
        assertThat(open("unionmap:{inline:{X=1}, inline:{x=2}}").lookup("X")).isEqualTo("1,2");
        assertThat(open("pipemap:{inline:{x=y}, inline:{y=z}}").lookup("x")).isEqualTo("z");
        assertThat(open("pipemap:{inline:{x=y}, inline:{q=z}}").lookup("x")).isNull();
        assertThat(open("unionmap:{inline:{x=1}, cidr:{{10.0.0.0/8 a}}}").fixedKeys()).isFalse();
        assertThatThrownBy(() -> open("unionmap:{}")).hasMessage("bad syntax: \"unionmap:{}\"; need \"unionmap:{type:name...}\"");
        assertThatThrownBy(() -> open("unionmap:{fail:a, static:b}").lookup("x"))
                .hasMessage("table unionmap:{fail:a, static:b}: query error: Application error");
    }

    @Test
    void randmapPicksOneOfItsValues() throws Exception {
        Table t = open("randmap:{a, b, {c d}}");
        for (int i = 0; i < 50; i++) assertThat(t.lookup("k")).isIn("a", "b", "{c d}");
        assertThat(open("randmap:{one}").lookup("x")).isEqualTo("one");
        assertThatThrownBy(() -> open("randmap:{}")).hasMessage("bad syntax: \"randmap:{}\"; need \"randmap:{value...}\"");
    }

    @Test
    void failEnvironAndUnix() throws Exception {
        assertThatThrownBy(() -> open("fail:foo").lookup("x")).isInstanceOf(TableException.class)
                .hasMessage("table fail:foo: query error: Application error");
        String path = System.getenv("PATH");
        assertThat(TableFactory.openUncached("environ:x", config, false).lookup("PATH")).isEqualTo(path);
        assertThat(open("environ:x").lookup("PATH")).isNull(); // folded to "path"
        assertThat(open("unix:passwd.byname").lookup("ROOT")).startsWith("root:x:0:0:");
        assertThat(open("unix:group.byname").lookup("root")).startsWith("root:x:0:");
        assertThat(open("unix:passwd.byname").lookup("no-such-user-here")).isNull();
        assertThat(open("unix:passwd.byname").lookup("root:x")).isNull();
        assertThatThrownBy(() -> open("unix:other")).hasMessage("unknown table: unix:other");
    }

    @Test
    void unknownTypesAndMissingFiles() {
        assertThatThrownBy(() -> open("bogus:thing")).hasMessage("unsupported dictionary type: bogus");
        assertThatThrownBy(() -> open("nocolon")).hasMessage("open dictionary: expecting \"type:name\" form instead of \"nocolon\"");
        assertThatThrownBy(() -> open("hash:" + dir.resolve("none")))
                .hasMessage("open database " + dir.resolve("none") + ".db: No such file or directory");
        assertThatThrownBy(() -> open("texthash:" + dir.resolve("none")))
                .hasMessage("open database " + dir.resolve("none") + ": No such file or directory");
        assertThatThrownBy(() -> open("regexp:/x")).hasMessage("open /x: No such file or directory");
    }

    @Test
    void texthashReadsSourceAndKeepsFirstOfDuplicates() throws Exception {
        Path src = dir.resolve("th");
        Files.writeString(src, "Foo bar\nfoo dup\nbad\nk2 multi\n  line\n");
        Table t = open("texthash:" + src);
        assertThat(t.lookup("FOO")).isEqualTo("bar");
        assertThat(t.lookup("k2")).isEqualTo("multi  line");
        assertThat(t.lookup("bad")).isNull();
    }

    @Test
    void inlineCidrSpecification() throws Exception {
        Table t = open("cidr:{ {10.0.0.0/8 ten}, {::/0 six} }");
        assertThat(t.lookup("10.9.9.9")).isEqualTo("ten");
        assertThat(t.lookup("::2")).isEqualTo("six");
        assertThat(t.lookup("11.0.0.1")).isNull();
    }

    @Test
    void sharedTablesAreOpenedOnce() throws Exception {
        Table a = TableFactory.open("inline:{a=1}", config);
        assertThat(TableFactory.open("inline:{a=1}", config)).isSameAs(a);
        assertThat(TableFactory.open("proxy:inline:{a=1}", config).lookup("A")).isEqualTo("1");
    }
}
