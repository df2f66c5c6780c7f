package org.posthorn.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.config.ConfigException;

class LogSetupTest {
    @TempDir
    Path dir;

    @AfterEach
    void reset() {
        Log.clearSinks();
        Log.setSyslogName("postfix");
        Log.setStderr(true);
    }

    @Test
    void maillogFileOutsideThePrefixesIsRefusedInPostfixWords() {
        Config c = Config.of(dir, Map.of("maillog_file", "/tmp/elsewhere.log", "maillog_file_prefixes", dir.toString()));
        assertThatThrownBy(() -> LogSetup.configure(c, false))
                .isInstanceOf(ConfigException.class)
                .hasMessage("maillog_file value '/tmp/elsewhere.log' does not match any prefix in maillog_file_prefixes");
    }

    @Test
    void defaultPrefixesAreVarAndDevStdout() throws Exception {
        LogSetup.checkPrefix("/var/log/postfix.log", "/var, /dev/stdout");
        LogSetup.checkPrefix("/dev/stdout", "/var, /dev/stdout");
        assertThatThrownBy(() -> LogSetup.checkPrefix("/home/x/log", "/var, /dev/stdout")).isInstanceOf(ConfigException.class);
    }

    @Test
    void maillogFileGetsLinesWithSyslogNameAndMyhostnamesFirstLabel() throws Exception {
        Path log = dir.resolve("log/maillog");
        Config c = Config.of(dir, Map.of("maillog_file", log.toString(), "maillog_file_prefixes", dir.toString(),
                "myhostname", "relay.example.net", "syslog_name", "posthorn"));
        Log.setStderr(false);
        LogSetup.configure(c, false);
        Log.of("master").info("daemon started");
        Log.clearSinks();
        assertThat(Files.readString(log)).matches("[A-Z][a-z]{2} \\d{2} \\d{2}:\\d{2}:\\d{2} relay posthorn/master\\[\\d+\\]: daemon started\\n");
    }

    @Test
    void withoutMaillogFileSyslogIsUsedWhenItsSocketExists() throws Exception {
        Path socket = dir.resolve("devlog");
        try (UnixDatagram server = UnixDatagram.bind(socket)) {
            Config c = Config.of(dir, Map.of("syslog_facility", "local3"));
            Log.setStderr(false);
            LogSetup.configure(c, false, socket);
            Log.of("pickup").warning("hello");
            assertThat(new String(server.receive(4096, 2000))).startsWith("<156>").endsWith(" postfix/pickup[" + Log.pid() + "]: warning: hello");
        }
        LogSetup.configure(Config.of(dir, Map.of()), false, dir.resolve("none"));
        assertThat(Log.hasSinks()).isFalse();
    }

    @Test
    void unknownFacilityIsAConfigurationError() {
        Config c = Config.of(dir, Map.of("syslog_facility", "mial"));
        assertThatThrownBy(() -> LogSetup.configure(c, false, dir.resolve("none"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("mial");
    }
}
