package org.posthorn.qmgr;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Postfix's delay number format (format_tv with 2 significant digits, delay_logging_resolution_limit decimals). */
class DelaysTest {
    @ParameterizedTest
    @CsvSource({
            // micros, decimals, expected
            "0, 2, 0",
            "4000, 2, 0",          // below the resolution
            "5000, 2, 0.01",       // rounds up to it
            "10000, 2, 0.01",
            "20000, 2, 0.02",
            "34000, 2, 0.03",
            "36000, 2, 0.04",
            "100000, 2, 0.1",      // trailing zeros dropped
            "120000, 2, 0.12",
            "125000, 2, 0.13",
            "999000, 2, 1",
            "1000000, 2, 1",
            "1150000, 2, 1.2",     // observed: delay=1.2
            "1250000, 2, 1.3",
            "4500000, 2, 4.5",
            "9960000, 2, 10",
            "12340000, 2, 12",
            "123400000, 2, 123",   // integer digits are never dropped
            "86400000000, 2, 86400",
            "1234, 6, 0.0012",
            "1234, 3, 0.001",
            "1500000, 0, 2",
            "400000, 0, 0",
    })
    void formatsLikePostfix(long micros, int decimals, String expected) {
        assertThat(Delays.format(Duration.ofNanos(micros * 1000), decimals)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"-5000"})
    void negativeIsZero(long micros) {
        assertThat(Delays.format(Duration.ofNanos(micros * 1000), 2)).isEqualTo("0");
    }
}
