package org.posthorn.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.queue.RecordType;

/**
 * delay_warning_time end to end: cleanup writes the W record, qmgr sends the sender one
 * delay notice once the time has passed and the message is still deferred, and marks the
 * record done (-1) so that no second notice follows.
 */
@Tag("interop")
class DelayWarningTest {
    @TempDir
    Path tmp;

    @Test
    void oneDelayNoticeFromTheWarnRecord() throws Exception {
        int closed = MasterServicesTest.freePort();
        try (E2eInstance ours = new E2eInstance(tmp.resolve("ours"))) {
            ours.configure(List.of("relayhost = [127.0.0.1]:" + closed, "delay_warning_time = 1s")).start();
            assertThat(ours.run("Subject: slow\n\nx\n", E2eInstance.bin("sendmail"), "-f", "s@example.org",
                    "r@example.net").status()).isZero();
            String log = ours.awaitLog(20, l -> l.contains("sender delay notification: "));
            Matcher m = Pattern.compile("\\]: ([0-9A-F]+): sender delay notification: ([0-9A-F]+)").matcher(log);
            assertThat(m.find()).as(log).isTrue();
            String id = m.group(1);
            Thread.sleep(3000); // more retries: still one notice
            log = ours.maillog();
            assertThat(log.split("sender delay notification", -1)).as(log).hasSize(2);
            // the file moves between deferred/ and active/ as it is retried: read it where it is
            String warn = null;
            for (int i = 0; i < 50 && warn == null; i++) {
                for (String q : List.of("deferred", "active")) {
                    for (Path p : ours.queueFiles(q)) {
                        if (!p.getFileName().toString().equals(id)) continue;
                        try (QueueFileReader r = QueueFileReader.open(p)) {
                            warn = r.envelope().first(RecordType.WARN).text().strip();
                        } catch (java.io.IOException moved) {
                            // renamed meanwhile: look again
                        }
                    }
                }
                if (warn == null) Thread.sleep(50);
            }
            assertThat(warn).isEqualTo("-1");
        }
    }
}
