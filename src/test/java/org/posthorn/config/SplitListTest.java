package org.posthorn.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SplitListTest {
    @Test
    void splitsOnCommasAndSpaceButNotInsideBraces() {
        assertThat(Config.splitList(" a, b\tc ,, inline:{ x=1, y=2 } d"))
                .containsExactly("a", "b", "c", "inline:{ x=1, y=2 }", "d");
        assertThat(Config.splitList("")).isEmpty();
    }
}
