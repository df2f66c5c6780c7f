package org.posthorn.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyslogSinkTest {
    @TempDir
    Path dir;

    @Test
    void priorityIsFacilityTimesEightPlusSeverity() {
        int mail = SyslogSink.facility("mail");
        assertThat(SyslogSink.priority(mail, Log.Severity.INFO)).isEqualTo(22);
        assertThat(SyslogSink.priority(mail, Log.Severity.WARNING)).isEqualTo(20);
        assertThat(SyslogSink.priority(mail, Log.Severity.ERROR)).isEqualTo(19);
        assertThat(SyslogSink.priority(mail, Log.Severity.FATAL)).isEqualTo(18);
        // msg_syslog.c maps panic to LOG_CRIT too
        assertThat(SyslogSink.priority(mail, Log.Severity.PANIC)).isEqualTo(18);
        assertThat(SyslogSink.priority(SyslogSink.facility("local7"), Log.Severity.INFO)).isEqualTo(190);
        assertThatThrownBy(() -> SyslogSink.facility("mial")).hasMessageContaining("syslog_facility");
    }

    @Test
    void sendsOneDatagramPerRecordInGlibcSyslogForm() throws Exception {
        Path socket = dir.resolve("log");
        try (UnixDatagram server = UnixDatagram.bind(socket)) {
            SyslogSink sink = SyslogSink.open(socket, "mail");
            assertThat(sink).isNotNull();
            sink.write(Log.Severity.INFO, "postfix/smtpd", 4242, "connect from localhost[127.0.0.1]");
            sink.write(Log.Severity.WARNING, "postfix/master", 1, "warning: process died");
            String first = new String(server.receive(4096, 2000), StandardCharsets.UTF_8);
            String second = new String(server.receive(4096, 2000), StandardCharsets.UTF_8);
            assertThat(first).matches("<22>[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} postfix/smtpd\\[4242\\]: connect from localhost\\[127\\.0\\.0\\.1\\]");
            assertThat(second).matches("<20>.* postfix/master\\[1\\]: warning: process died");
            sink.close();
        }
    }

    @Test
    void reconnectsWhenTheSyslogSocketIsReplaced() throws Exception {
        Path socket = dir.resolve("log");
        SyslogSink sink;
        try (UnixDatagram server = UnixDatagram.bind(socket)) {
            sink = SyslogSink.open(socket, "mail");
            sink.write(Log.Severity.INFO, "t", 1, "one");
            assertThat(server.receive(4096, 2000)).isNotNull();
        }
        java.nio.file.Files.delete(socket);
        try (UnixDatagram server = UnixDatagram.bind(socket)) {
            sink.write(Log.Severity.INFO, "t", 1, "two");
            assertThat(new String(server.receive(4096, 2000), StandardCharsets.UTF_8)).endsWith("t[1]: two");
        }
        sink.close();
    }

    @Test
    void noSocketMeansNoSinkAndAVanishedSocketIsQuiet() throws Exception {
        assertThat(SyslogSink.open(dir.resolve("missing"), "mail")).isNull();
        Path socket = dir.resolve("log");
        SyslogSink sink;
        try (UnixDatagram server = UnixDatagram.bind(socket)) {
            sink = SyslogSink.open(socket, "mail");
        }
        java.nio.file.Files.delete(socket);
        sink.write(Log.Severity.INFO, "t", 1, "dropped quietly");
        sink.close();
    }
}
