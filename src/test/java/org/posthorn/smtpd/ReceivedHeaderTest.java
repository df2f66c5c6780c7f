package org.posthorn.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReceivedHeaderTest {
    private static final Instant WHEN = Instant.parse("2026-11-27T20:51:56Z");

    /** Byte for byte what Postfix 3.7.11 wrote into a queue file (postcat) for the same session. */
    @Test
    void oneRecipientAsPostfixWritesIt() {
        assertThat(ReceivedHeader.lines("client.example", "localhost", "127.0.0.1", "reference.test", "Postfix",
                "ESMTP", "DECED20E092", "b@reference.test", WHEN, ZoneId.of("UTC"))).isEqualTo(List.of(
                "Received: from client.example (localhost [127.0.0.1])",
                "\tby reference.test (Postfix) with ESMTP id DECED20E092",
                "\tfor <b@reference.test>; Fri, 27 Nov 2026 20:51:56 +0000 (UTC)"));
    }

    @Test
    void severalRecipientsLeaveOutTheForClause() {
        assertThat(ReceivedHeader.lines("h", "unknown", "IPv6:::1", "mx.test", "Postfix", "SMTP", "ABC", null,
                Instant.parse("2026-03-05T01:02:03Z"), ZoneId.of("UTC"))).isEqualTo(List.of(
                "Received: from h (unknown [IPv6:::1])",
                "\tby mx.test (Postfix) with SMTP id ABC;",
                "\tThu,  5 Mar 2026 01:02:03 +0000 (UTC)"));
    }

    @Test
    void localPartsThatAreNotDotAtomsAreQuoted() {
        assertThat(ReceivedHeader.quoteLocalPart("a b@c")).isEqualTo("\"a b\"@c");
        assertThat(ReceivedHeader.quoteLocalPart("a.b@c")).isEqualTo("a.b@c");
    }
}
