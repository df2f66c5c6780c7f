package org.posthorn.qmgr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The concurrency window of one destination, as SCHEDULER_README describes it. */
class DestinationTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_000_000);
    private static final ActiveMessage MSG = new ActiveMessage("A1", null, null, null, null, false);
    private static final DeliveryStatus REFUSED = DeliveryStatus.of("4.4.1", "none", "connect to x: Connection refused");

    static Destination.Limits limits(int limit, int initial, String pos, String neg, double cohorts, int rateDelay) {
        return new Destination.Limits(limit, initial, Feedback.parse("p", pos), Feedback.parse("n", neg), cohorts,
                Duration.ofSeconds(rateDelay), 50);
    }

    private static Destination dest(Destination.Limits l) {
        Destination d = new Destination("smtp", "x.test", l);
        d.addJob(new Job(MSG, d, "x.test", List.of()));
        return d;
    }

    @Test
    void startsAtTheInitialConcurrencyAndGrowsWhileBusyUpToTheLimit() {
        Destination d = dest(limits(7, 5, "1", "1", 1, 0));
        assertThat(d.window()).isEqualTo(5);
        for (int i = 0; i < 5; i++) d.started();
        assertThat(d.ready(NOW)).isFalse(); // window full
        d.positiveFeedback();
        d.finished(NOW);
        assertThat(d.window()).isEqualTo(6);
        assertThat(d.ready(NOW)).isTrue();
        for (int i = 0; i < 10; i++) {
            d.started();
            d.positiveFeedback();
            d.finished(NOW);
        }
        assertThat(d.window()).isEqualTo(7);
    }

    @Test
    void doesNotGrowWithoutLoad() {
        Destination d = dest(limits(20, 2, "1", "1", 1, 0));
        // one delivery at a time never needs more than busy + initial
        for (int i = 0; i < 10; i++) {
            d.started();
            d.positiveFeedback();
            d.finished(NOW);
        }
        assertThat(d.window()).isEqualTo(3);
    }

    @Test
    void inverseFeedbackGrowsSlowly() {
        Destination d = dest(limits(20, 4, "1/concurrency", "1", 1, 0));
        for (int i = 0; i < 4; i++) d.started();
        for (int i = 0; i < 3; i++) d.positiveFeedback();
        assertThat(d.window()).isEqualTo(4);
        d.positiveFeedback(); // 4 x 1/4
        assertThat(d.window()).isEqualTo(5);
    }

    @Test
    void negativeFeedbackShrinksThenDeclaresDead() {
        Destination d = dest(limits(20, 5, "1", "1", 1, 0));
        for (int i = 0; i < 5; i++) d.started();
        assertThat(d.negativeFeedback(REFUSED, NOW, Duration.ofSeconds(300))).isFalse(); // cohorts 0.2
        assertThat(d.window()).isEqualTo(4);
        assertThat(d.negativeFeedback(REFUSED, NOW, Duration.ofSeconds(300))).isFalse(); // 0.45
        assertThat(d.window()).isEqualTo(3);
        assertThat(d.negativeFeedback(REFUSED, NOW, Duration.ofSeconds(300))).isFalse(); // 0.78
        assertThat(d.window()).isEqualTo(2);
        assertThat(d.negativeFeedback(REFUSED, NOW, Duration.ofSeconds(300))).isTrue();  // 1.28: dead
        assertThat(d.dead()).isTrue();
        assertThat(d.window()).isZero();
        assertThat(d.ready(NOW)).isFalse();
        assertThat(d.deadReason()).isEqualTo(REFUSED);
        assertThat(d.deadUntil()).isEqualTo(NOW.plusSeconds(300));
        d.revive();
        assertThat(d.window()).isEqualTo(5);
        assertThat(d.dead()).isFalse();
    }

    @Test
    void successInBetweenResetsTheFailedCohorts() {
        Destination d = dest(limits(20, 5, "1", "1", 1, 0));
        for (int i = 0; i < 20; i++) {
            d.negativeFeedback(REFUSED, NOW, Duration.ofSeconds(300));
            d.positiveFeedback();
        }
        assertThat(d.dead()).isFalse();
    }

    @Test
    void higherCohortLimitToleratesMoreFailures() {
        Destination d = dest(limits(20, 5, "1", "1", 3, 0));
        int failures = 0;
        while (!d.negativeFeedback(REFUSED, NOW, Duration.ofSeconds(60))) failures++;
        assertThat(failures).isGreaterThan(3);
    }

    @Test
    void rateDelayMeansOneAtATimeWithAPause() {
        Destination d = dest(limits(20, 5, "1", "1", 1, 10));
        assertThat(d.window()).isEqualTo(1);
        d.started();
        assertThat(d.ready(NOW)).isFalse();
        d.positiveFeedback();
        d.finished(NOW);
        assertThat(d.window()).isEqualTo(1);
        assertThat(d.ready(NOW.plusSeconds(5))).isFalse();
        assertThat(d.ready(NOW.plusSeconds(10))).isTrue();
    }

    @Test
    void feedbackSettingsParse() {
        assertThat(Feedback.parse("x", "1").at(7)).isEqualTo(1.0);
        assertThat(Feedback.parse("x", "1/concurrency").at(4)).isEqualTo(0.25);
        assertThat(Feedback.parse("x", "1/sqrt_concurrency").at(4)).isEqualTo(0.5);
        assertThatThrownBy(() -> Feedback.parse("smtp_destination_concurrency_positive_feedback", "fast"))
                .hasMessageContaining("smtp_destination_concurrency_positive_feedback");
    }

    @Test
    void messagesTakeTurnsWithinADestination() {
        Destination d = new Destination("smtp", "x.test", limits(20, 5, "1", "1", 1, 0));
        ActiveMessage big = new ActiveMessage("BIG", null, null, null, null, false);
        ActiveMessage small = new ActiveMessage("SMALL", null, null, null, null, false);
        for (int i = 0; i < 5; i++) d.addJob(new Job(big, d, "x.test", List.of()));
        d.addJob(new Job(small, d, "x.test", List.of()));
        assertThat(d.pollJob().message()).isSameAs(big);
        assertThat(d.pollJob().message()).isSameAs(small);
        assertThat(d.pollJob().message()).isSameAs(big);
        assertThat(d.drainJobs()).hasSize(3);
        assertThat(d.hasJobs()).isFalse();
        assertThat(d.pollJob()).isNull();
    }

    @Test
    void roundRobinGivesEachDestinationItsTurn() {
        TransportState t = new TransportState("smtp", limits(20, 5, "1", "1", 1, 0));
        Destination a = t.destination("a.test");
        Destination b = t.destination("b.test");
        for (int i = 0; i < 3; i++) t.add(new Job(MSG, a, "a.test", List.of()));
        t.add(new Job(MSG, b, "b.test", List.of()));
        assertThat(t.next(NOW)).isSameAs(a);
        a.pollJob();
        assertThat(t.next(NOW)).isSameAs(b);
        b.pollJob();
        assertThat(t.next(NOW)).isSameAs(a);
    }
}
