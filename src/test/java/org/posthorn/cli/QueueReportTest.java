package org.posthorn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.posthorn.showq.ShowqMessage;

class QueueReportTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final String REFUSED = "connect to 127.0.0.1[127.0.0.1]:12599: Connection refused";

    private static String render(boolean json, boolean longIds, ShowqMessage... ms) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(b, false, StandardCharsets.UTF_8);
        QueueReport r = new QueueReport(out, json, longIds, UTC);
        for (ShowqMessage m : ms) r.message(m);
        r.finish();
        return b.toString(StandardCharsets.UTF_8);
    }

    private static ShowqMessage.Recipient rcpt(String a, String why) {
        return new ShowqMessage.Recipient(a, why);
    }

    @Test
    void postfixLayoutForShortIds() throws Exception {
        // the layout observed from Postfix 3.7.11 (reference §7.3), day of month padded as asctime does
        String out = render(false, false,
                new ShowqMessage("deferred", "1C81720E713", 1795808173L, 427, true, "sender@client.example.org",
                        List.of(rcpt("someone@defer.test", REFUSED))),
                new ShowqMessage("hold", "2129620E95B", 1796000000L, 1800, false, "sender@client.example.org",
                        List.of(rcpt("x1@defer.test", REFUSED), rcpt("x2@defer.test", REFUSED), rcpt("x3@defer.test", ""))),
                new ShowqMessage("active", "3129620E95C", 1796000000L, 100, false, "MAILER-DAEMON", List.of(rcpt("y@z", ""))));
        assertThat(out).isEqualTo("""
                -Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------
                1C81720E713#     427 Fri Nov 27 19:36:13  sender@client.example.org
                                   (connect to 127.0.0.1[127.0.0.1]:12599: Connection refused)
                                                         someone@defer.test

                2129620E95B!    1800 Mon Nov 30 00:53:20  sender@client.example.org
                                   (connect to 127.0.0.1[127.0.0.1]:12599: Connection refused)
                                                         x1@defer.test
                                                         x2@defer.test
                                                                          (reason unavailable)
                                                         x3@defer.test

                3129620E95C*     100 Mon Nov 30 00:53:20  MAILER-DAEMON
                                                         y@z

                -- 2 Kbytes in 3 Requests.
                """);
    }

    @Test
    void longIdsSingularAndEmpty() throws Exception {
        String out = render(false, true, new ShowqMessage("incoming", "4Fb3Xk2mNpz1Q", 1796000000L + 86400 * 5, 2048, false, "a@b",
                List.of(rcpt("c@d", ""))));
        assertThat(out).isEqualTo("""
                ----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------
                4Fb3Xk2mNpz1Q         2048 Sat Dec  5 00:53:20 a@b
                                                               c@d

                -- 2 Kbytes in 1 Request.
                """);
        assertThat(render(false, false)).isEqualTo("Mail queue is empty\n");
        assertThat(render(true, false)).isEmpty();
    }

    @Test
    void longReasonGetsNoPadding() throws Exception {
        String why = "r".repeat(90);
        String out = render(false, false, new ShowqMessage("deferred", "ABCDEF", 0, 1, false, "s", List.of(rcpt("t", why))));
        assertThat(out).contains("\n(" + why + ")\n");
    }

    @Test
    void jsonLines() throws Exception {
        String out = render(true, false,
                new ShowqMessage("deferred", "1C81720E713", 1795808173L, 427, true, "se\"nd\\er\t@x",
                        List.of(rcpt("someone@defer.test", REFUSED), rcpt("b\u0001@c", ""))));
        assertThat(out).isEqualTo("{\"queue_name\": \"deferred\", \"queue_id\": \"1C81720E713\", \"arrival_time\": 1795808173, "
                + "\"message_size\": 427, \"forced_expire\": true, \"sender\": \"se\\\"nd\\\\er\\t@x\", \"recipients\": "
                + "[{\"address\": \"someone@defer.test\", \"delay_reason\": \"" + REFUSED + "\"}, {\"address\": \"b\\u0001@c\"}]}\n");
    }
}
