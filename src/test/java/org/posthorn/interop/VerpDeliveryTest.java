package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sendmail -XV end to end: each recipient's copy reaches smtp-sink with its own VERP sender. */
@Tag("interop")
class VerpDeliveryTest {
    @TempDir
    Path tmp;

    @Test
    void eachRecipientGetsItsOwnReturnPath() throws Exception {
        int sinkPort = MasterServicesTest.freePort();
        try (SmtpFixture.SmtpSink sink = new SmtpFixture.SmtpSink(tmp.resolve("dumps"), "127.0.0.1", sinkPort);
             E2eInstance ours = new E2eInstance(tmp.resolve("ours"))) {
            ours.configure(List.of("relayhost = [127.0.0.1]:" + sinkPort)).start();
            E2eInstance.Ran r = ours.run("Subject: list\n\nx\n", E2eInstance.bin("sendmail"), "-XV", "-f",
                    "owner@lists.example", "a@example.net", "b@example.org");
            assertThat(r.status()).as(r.err()).isZero();
            // smtp-sink creates a dump at MAIL FROM and fills it as the transaction goes on
            String all = "";
            for (int i = 0; i < 100 && !(all.contains("owner+a=") && all.contains("owner+b=")); i++) {
                Thread.sleep(100);
                all = String.join("\n----\n", sink.messages());
            }
            assertThat(sink.messages()).hasSize(2);
            assertThat(all).contains("owner+a=example.net@lists.example").contains("owner+b=example.org@lists.example");
        }
    }
}
