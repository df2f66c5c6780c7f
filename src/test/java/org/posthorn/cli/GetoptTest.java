package org.posthorn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GetoptTest {
    @Test
    void clusteredFlagsAndAttachedArgument() {
        Getopt g = new Getopt("postconf", new String[] {"-nh", "-c/etc/x", "-d", "name"}, "c:dhn");
        assertThat((char) g.next()).isEqualTo('n');
        assertThat((char) g.next()).isEqualTo('h');
        assertThat((char) g.next()).isEqualTo('c');
        assertThat(g.optarg()).isEqualTo("/etc/x");
        assertThat((char) g.next()).isEqualTo('d');
        assertThat(g.next()).isEqualTo(-1);
        assertThat(g.operands()).containsExactly("name");
    }

    @Test
    void argumentInNextWordAndDoubleDash() {
        Getopt g = new Getopt("postmap", new String[] {"-q", "key", "--", "-x"}, "q:");
        assertThat((char) g.next()).isEqualTo('q');
        assertThat(g.optarg()).isEqualTo("key");
        assertThat(g.next()).isEqualTo(-1);
        assertThat(g.operands()).containsExactly("-x");
    }

    @Test
    void unknownOptionAndMissingArgumentAreUsageErrors() {
        assertThatThrownBy(() -> new Getopt("p", new String[] {"-z"}, "c:").next())
                .isInstanceOf(CommandFailure.class).hasMessageContaining("invalid option");
        assertThatThrownBy(() -> new Getopt("p", new String[] {"-c"}, "c:").next())
                .isInstanceOf(CommandFailure.class).hasMessageContaining("requires an argument");
    }
}
