package org.posthorn.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class LineFormatTest {
    @Test
    void maillogLineIsPostlogdsFormWithZeroPaddedDayAndFirstHostLabel() {
        String line = LineFormat.line(LocalDateTime.of(2026, 3, 7, 9, 5, 1), "mx.example.org", "postfix/smtpd", 42,
                "connect from localhost[127.0.0.1]");
        assertThat(line).isEqualTo("Mar 07 09:05:01 mx postfix/smtpd[42]: connect from localhost[127.0.0.1]");
    }

    @Test
    void syslogDatagramHasPriorityAndSpacePaddedDayAndNoHost() {
        String d = LineFormat.syslog(22, LocalDateTime.of(2026, 3, 7, 9, 5, 1), "postfix/master", 7, "daemon started");
        assertThat(d).isEqualTo("<22>Mar  7 09:05:01 postfix/master[7]: daemon started");
    }

    @Test
    void textIsTruncatedAt2000Characters() {
        String line = LineFormat.line(LocalDateTime.of(2026, 11, 27, 1, 2, 3), "h", "t", 1, "x".repeat(5000));
        assertThat(line).endsWith(": " + "x".repeat(2000));
        String d = LineFormat.syslog(22, LocalDateTime.of(2026, 11, 27, 1, 2, 3), "t", 1, "y".repeat(5000));
        assertThat(d).endsWith(": " + "y".repeat(2000));
    }
}
