package org.posthorn.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSinkTest {
    /** Postfix's maillog_file line: "Mon dd HH:MM:SS host tag[pid]: text". */
    static final Pattern LINE = Pattern.compile("[A-Z][a-z]{2} \\d{2} \\d{2}:\\d{2}:\\d{2} [^ .]+ [^ \\[]+\\[\\d+\\]: .*");

    @TempDir
    Path dir;

    @Test
    void appendsWholeLinesFromManyThreadsAndFlushesOnClose() throws Exception {
        Path file = dir.resolve("maillog");
        Files.writeString(file, "earlier line\n");
        FileSink sink = FileSink.open(file, "mx.example.org");
        int threads = 8;
        int each = 500;
        CountDownLatch go = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) sink.write(Log.Severity.INFO, "postfix/smtpd", 99, "thread " + id + " line " + i);
            });
        }
        go.countDown();
        for (Thread t : ts) t.join();
        sink.close();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1 + threads * each);
        assertThat(lines.get(0)).isEqualTo("earlier line");
        for (String l : lines.subList(1, lines.size())) {
            assertThat(l).matches(LINE).contains(" mx postfix/smtpd[99]: thread ");
        }
    }

    @Test
    void createsTheFileWithMode0600() throws Exception {
        Path file = dir.resolve("new.log");
        FileSink sink = FileSink.open(file, "h");
        sink.write(Log.Severity.WARNING, "postfix/master", 1, "warning: x");
        sink.close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).endsWith(" h postfix/master[1]: warning: x\n");
    }

    @Test
    void logRecordsCarrySeverityPrefixAndTag() throws Exception {
        Path file = dir.resolve("maillog");
        Log.clearSinks();
        Log.setStderr(false);
        try {
            Log.addSink(FileSink.open(file, "box.example"));
            Log.setSyslogName("postfix");
            Log.of("postfix/submission", "smtpd").warning("too many errors from %s", "x[1.2.3.4]");
            Log.of("qmgr").info("ABC123: removed");
        } finally {
            Log.clearSinks();
            Log.setStderr(true);
        }
        List<String> lines = Files.readAllLines(file);
        long pid = ProcessHandle.current().pid();
        assertThat(lines.get(0)).endsWith(" box postfix/submission/smtpd[" + pid + "]: warning: too many errors from x[1.2.3.4]");
        assertThat(lines.get(1)).endsWith(" box postfix/qmgr[" + pid + "]: ABC123: removed");
    }
}
