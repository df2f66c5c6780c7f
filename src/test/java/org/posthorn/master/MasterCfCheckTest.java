package org.posthorn.master;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.posthorn.config.Config;
import org.posthorn.config.MasterCf;

class MasterCfCheckTest {
    private static final Path FILE = Path.of("/etc/posthorn/master.cf");

    private static List<String> check(String... lines) throws Exception {
        return MasterCfCheck.check(MasterCf.parse(FILE, List.of(lines)), Config.of(FILE.getParent(), Map.of()));
    }

    @Test
    void theStockRowsPass() throws Exception {
        assertThat(check("# comment",
                "smtp      inet  n       -       y       -       -       smtpd",
                "  -o syslog_name=postfix/smtp",
                "pickup    unix  n       -       y       60      1       pickup",
                "flush     unix  n       -       y       1000?   0       flush",
                "postlog   unix-dgram n  -       n       -       1       postlogd")).isEmpty();
    }

    @Test
    void eachBadColumnIsNamedWithFileAndLine() throws Exception {
        List<String> errors = check(
                "smtp inet n - n - - smtpd",
                "foo  bar  n - n - - smtpd",
                "",
                "baz  unix x - n - - smtpd",
                "qux  unix n - n 6x - smtpd",
                "quux unix n - n - many smtpd",
                "127.0.0.1:nosuchservice inet n - n - - smtpd");
        assertThat(errors).containsExactly(
                "file /etc/posthorn/master.cf: line 2: invalid type field \"bar\"",
                "file /etc/posthorn/master.cf: line 4: invalid private field \"x\"",
                "file /etc/posthorn/master.cf: line 5: invalid wakeup field \"6x\"",
                "file /etc/posthorn/master.cf: line 6: invalid maxproc field \"many\"",
                "file /etc/posthorn/master.cf: line 7: unknown service: nosuchservice/tcp");
    }

    @Test
    void unixServiceNamesStayInsideTheirDirectory() throws Exception {
        assertThat(check("../evil unix n - n - - smtpd")).singleElement().asString().contains("line 1: invalid service name");
    }
}
