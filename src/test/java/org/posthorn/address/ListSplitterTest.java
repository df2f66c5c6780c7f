package org.posthorn.address;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ListSplitterTest {
    @Test
    void splitsOnCommasAndSpaceButNotInsideBraces() {
        assertThat(ListSplitter.split(" a, b\tc ,, inline:{ x=1, y=2 } d"))
                .containsExactly("a", "b", "c", "inline:{ x=1, y=2 }", "d");
        assertThat(ListSplitter.split("")).isEmpty();
    }
}
