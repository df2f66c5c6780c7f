package org.posthorn.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;

class MatchListTest {
    /** A fixed-key table of a map, and "regexp:" as a pattern table that answers only "re.example". */
    private static final TableOpener TABLES = spec -> new Table() {
        public String name() {
            return spec;
        }

        public String lookup(String key) {
            if (spec.startsWith("regexp:")) return key.equals("re.example") ? "ok" : null;
            return Map.of("table.example", "ok", ".dot.example", "ok").get(key);
        }

        public boolean fixedKeys() {
            return !spec.startsWith("regexp:");
        }
    };

    private static MatchList list(String value, MatchList.Kind kind, boolean parent) throws TableException {
        return new MatchList("test_list", value, kind, parent, TABLES);
    }

    @Test
    void stringListsMatchWholeNamesIgnoringCase() throws Exception {
        MatchList l = list("Example.com, other.example", MatchList.Kind.STRING, false);
        assertThat(l.matches("example.COM")).isTrue();
        assertThat(l.matches("sub.example.com")).isFalse();
        assertThat(l.matches("xexample.com")).isFalse();
    }

    @Test
    void hostnameListsWithParentMatching() throws Exception {
        MatchList l = list("example.com", MatchList.Kind.HOSTNAME, true);
        assertThat(l.matches("example.com")).isTrue();
        assertThat(l.matches("a.b.example.com")).isTrue();
        assertThat(l.matches("badexample.com")).isFalse();
    }

    @Test
    void hostnameListsWithoutParentMatchingNeedALeadingDot() throws Exception {
        MatchList l = list("example.com .dot.example", MatchList.Kind.HOSTNAME, false);
        assertThat(l.matches("sub.example.com")).isFalse();
        assertThat(l.matches("sub.dot.example")).isTrue();
        assertThat(l.matches("dot.example")).isFalse();
    }

    @Test
    void negationAndFirstMatchWins() throws Exception {
        MatchList l = list("!no.example.com, example.com", MatchList.Kind.HOSTNAME, true);
        assertThat(l.matches("no.example.com")).isFalse();
        assertThat(l.matches("yes.example.com")).isTrue();
        assertThat(list("!!a.example", MatchList.Kind.STRING, false).matches("a.example")).isTrue();
    }

    @Test
    void tablesAreAskedForTheNameAndItsParents() throws Exception {
        assertThat(list("hash:x", MatchList.Kind.STRING, false).matches("TABLE.example")).isTrue();
        assertThat(list("hash:x", MatchList.Kind.STRING, false).matches("sub.table.example")).isFalse();
        assertThat(list("hash:x", MatchList.Kind.HOSTNAME, true).matches("sub.table.example")).isTrue();
        assertThat(list("hash:x", MatchList.Kind.HOSTNAME, false).matches("sub.table.example")).isFalse();
        assertThat(list("hash:x", MatchList.Kind.HOSTNAME, false).matches("a.dot.example")).isTrue();
        // pattern tables see the full name only
        assertThat(list("regexp:x", MatchList.Kind.HOSTNAME, true).matches("sub.re.example")).isFalse();
        assertThat(list("regexp:x", MatchList.Kind.HOSTNAME, true).matches("re.example")).isTrue();
    }

    @Test
    void filesAreReadAsMorePatterns(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("domains");
        Files.write(f, List.of("# comment", "a.example b.example", "c.example"));
        MatchList l = list(f + ", d.example", MatchList.Kind.STRING, false);
        assertThat(l.matches("b.example")).isTrue();
        assertThat(l.matches("c.example")).isTrue();
        assertThat(l.matches("d.example")).isTrue();
        assertThat(l.matches("comment")).isFalse();
        assertThatThrownBy(() -> list(dir.resolve("missing").toString(), MatchList.Kind.STRING, false))
                .isInstanceOf(TableException.class).hasMessageContaining("missing");
    }

    @Test
    void addressLiteralsAreNotTables() throws Exception {
        assertThat(list("[IPv6:::1]", MatchList.Kind.STRING, false).matches("[ipv6:::1]")).isTrue();
    }
}
