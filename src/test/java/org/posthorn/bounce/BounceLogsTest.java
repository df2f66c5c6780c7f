package org.posthorn.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.queue.QueueDirectory;
import org.posthorn.queue.QueueName;

/** The per-message logs, byte for byte as Postfix 3.7.11 writes them (observed in its defer/ directory). */
class BounceLogsTest {
    @TempDir
    Path dir;

    @Test
    void deferEntryAsPostfixWritesIt() throws Exception {
        QueueDirectory q = QueueDirectory.of(dir);
        BounceLogs logs = new BounceLogs(q);
        logs.append(QueueName.DEFER, "1DF1420F4DA", new BounceLogs.Entry("e@retry2.test", "e@retry2.test", 476,
                "rfc822;e@retry2.test", 0, "4.7.1", "delayed", null, null, "greylisted here"));
        logs.append(QueueName.DEFER, "1DF1420F4DA", new BounceLogs.Entry("d@retry.test", "d@retry.test", 411,
                "rfc822;d@retry.test", 0, "4.0.0", "delayed", null, null, "try later please"));
        Path file = dir.resolve("defer/1/1DF1420F4DA");
        assertThat(Files.readString(file)).isEqualTo("""

                <e@retry2.test>: greylisted here
                recipient=e@retry2.test
                offset=476
                dsn_orig_rcpt=rfc822;e@retry2.test
                status=4.7.1
                action=delayed
                reason=greylisted here


                <d@retry.test>: try later please
                recipient=d@retry.test
                offset=411
                dsn_orig_rcpt=rfc822;d@retry.test
                status=4.0.0
                action=delayed
                reason=try later please

                """);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(logs.remove(QueueName.DEFER, "1DF1420F4DA")).isTrue();
        assertThat(file).doesNotExist();
    }

    @Test
    void optionalFieldsQuotingAndControlCharacters() {
        String s = BounceLogs.format(new BounceLogs.Entry("john doe@x.test", "JOHN DOE@x.test", 100, null, 14,
                "5.1.1", "failed", "smtp; 550 5.1.1 <john doe@x.test>: unknown", "dns; mx.x.test", "bad\r\nline"));
        assertThat(s).isEqualTo("""

                <"john doe"@x.test>: bad??line
                recipient="john doe"@x.test
                offset=100
                notify_flags=14
                status=5.1.1
                action=failed
                diag_type=smtp
                diag_text=550 5.1.1 <john doe@x.test>: unknown
                mta_type=dns
                mta_name=mx.x.test
                reason=bad??line

                """);
        String orig = BounceLogs.format(new BounceLogs.Entry("a@x.test", "alias@x.test", 5, null, 0, "2.0.0", "delivered",
                null, null, "ok"));
        assertThat(orig).contains("recipient=a@x.test\norig_rcpt=alias@x.test\noffset=5\n");
        assertThat(BounceLogs.format(new BounceLogs.Entry("", null, 0, null, 0, "4.0.0", "delayed", null, null, "x")))
                .startsWith("\n<>: x\nrecipient=<>\nstatus=4.0.0\n");
    }
}
