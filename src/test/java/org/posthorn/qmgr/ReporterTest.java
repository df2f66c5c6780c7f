package org.posthorn.qmgr;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The delivery log line, against lines Postfix 3.7.11 logged. */
class ReporterTest {
    private static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    @Test
    void sentLineAsPostfixLogsIt() {
        DeliveryRecipient r = new DeliveryRecipient("other@sink.test", "other@sink.test", null, 0, 672);
        assertThat(Reporter.line("063AC20E6E1", r, DeliveryStatus.of("2.0.0", "127.0.0.1[127.0.0.1]:12526",
                "250 2.0.0 Ok: queued as 0FF3F20E713"), "sent", ms(50), ms(20), ms(10), ms(10), ms(10), 2))
                .isEqualTo("063AC20E6E1: to=<other@sink.test>, relay=127.0.0.1[127.0.0.1]:12526, delay=0.05, "
                        + "delays=0.02/0.01/0.01/0.01, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 0FF3F20E713)");
    }

    @Test
    void origToOnlyWhenItDiffersAndConnUseOnlyForReuse() {
        DeliveryRecipient r = new DeliveryRecipient("nosuch@mx.example.test", "team@mx.example.test", null, 0, 1);
        DeliveryStatus s = new DeliveryStatus("5.1.1", "local", "unknown user: \"nosuch\"", null, null, 1, Duration.ZERO, Duration.ZERO);
        assertThat(Reporter.line("5A7DB20E793", r, s, "bounced", ms(30), ms(10), Duration.ZERO, Duration.ZERO, ms(20), 2))
                .isEqualTo("5A7DB20E793: to=<nosuch@mx.example.test>, orig_to=<team@mx.example.test>, relay=local, delay=0.03, "
                        + "delays=0.01/0/0/0.02, dsn=5.1.1, status=bounced (unknown user: \"nosuch\")");
        DeliveryRecipient same = new DeliveryRecipient("A@x.test", "a@X.test", null, 0, 1);
        DeliveryStatus reused = new DeliveryStatus("2.0.0", "x[1.2.3.4]:25", "250 ok", null, null, 3, Duration.ZERO, Duration.ZERO);
        assertThat(Reporter.line("ID", same, reused, "sent", Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 2))
                .isEqualTo("ID: to=<A@x.test>, relay=x[1.2.3.4]:25, conn_use=3, delay=0, delays=0/0/0/0, dsn=2.0.0, status=sent (250 ok)");
    }
}
