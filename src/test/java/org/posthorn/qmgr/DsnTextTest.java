package org.posthorn.qmgr;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DsnTextTest {
    @Test
    void splitsALeadingStatus() {
        assertThat(DsnText.split("5.0.0", "5.1.1 custom bounce text")).isEqualTo(new DsnText("5.1.1", "custom bounce text"));
        assertThat(DsnText.split("4.0.0", "4.7.1 greylisted here")).isEqualTo(new DsnText("4.7.1", "greylisted here"));
        assertThat(DsnText.split("5.0.0", "mailbox full")).isEqualTo(new DsnText("5.0.0", "mailbox full"));
        assertThat(DsnText.split("5.0.0", "5.1.10x text")).isEqualTo(new DsnText("5.0.0", "5.1.10x text"));
        assertThat(DsnText.split("5.0.0", "3.1.1 odd")).isEqualTo(new DsnText("5.0.0", "3.1.1 odd"));
        assertThat(DsnText.split("2.0.0", "sunk")).isEqualTo(new DsnText("2.0.0", "sunk"));
    }
}
