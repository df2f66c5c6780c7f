package org.posthorn.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatchdogTest {
    @Test
    void anArmedAlarmFiresAfterItsDeadline() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        try (Watchdog.Alarm alarm = Watchdog.SHARED.alarm(fired::countDown)) {
            long t0 = System.nanoTime();
            alarm.arm(100);
            assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(100_000_000L);
            assertThat(alarm.expired()).isTrue();
        }
    }

    @Test
    void aShortDeadlineIsNotDelayedBehindALongOne() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        try (Watchdog.Alarm slow = Watchdog.SHARED.alarm(() -> { });
                Watchdog.Alarm quick = Watchdog.SHARED.alarm(fired::countDown)) {
            slow.arm(60_000);
            Thread.sleep(50); // the watchdog now sleeps until the long deadline
            quick.arm(50);
            assertThat(fired.await(2, TimeUnit.SECONDS)).isTrue();
            assertThat(slow.expired()).isFalse();
        }
    }

    @Test
    void disarmedAndClosedAlarmsNeverFire() throws Exception {
        CountDownLatch fired = new CountDownLatch(2);
        Watchdog.Alarm disarmed = Watchdog.SHARED.alarm(fired::countDown);
        Watchdog.Alarm closed = Watchdog.SHARED.alarm(fired::countDown);
        disarmed.arm(50);
        disarmed.disarm();
        closed.arm(50);
        closed.close();
        assertThat(fired.await(400, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(disarmed.expired()).isFalse();
        assertThat(closed.expired()).isFalse();
        disarmed.close();
    }

    @Test
    void rearmingPushesTheDeadlineBack() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        try (Watchdog.Alarm alarm = Watchdog.SHARED.alarm(fired::countDown)) {
            for (int i = 0; i < 10; i++) {
                alarm.arm(200);
                Thread.sleep(40);
            }
            assertThat(fired.getCount()).isEqualTo(1);
            assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }
}
