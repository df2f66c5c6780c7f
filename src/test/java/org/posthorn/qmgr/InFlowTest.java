package org.posthorn.qmgr;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class InFlowTest {
    @Test
    void tokensThenAPauseWhenQmgrIsBehind() throws Exception {
        InFlow flow = new InFlow(2, Duration.ofMillis(200));
        assertThat(flow.await()).isFalse();
        assertThat(flow.await()).isFalse();
        long start = System.nanoTime();
        assertThat(flow.await()).isTrue(); // no token: one pause, then on
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
        flow.put(); // qmgr took a message from incoming/
        assertThat(flow.await()).isFalse();
        flow.put();
        flow.put();
        flow.put();
        assertThat(flow.available()).isEqualTo(2); // never above the process limit
        flow.await();
        flow.fill(); // incoming/ is empty
        assertThat(flow.available()).isEqualTo(2);
    }

    @Test
    void zeroDelayTurnsItOff() throws Exception {
        InFlow flow = new InFlow(1, Duration.ZERO);
        for (int i = 0; i < 5; i++) assertThat(flow.await()).isFalse();
        assertThat(flow.available()).isEqualTo(1);
    }
}
