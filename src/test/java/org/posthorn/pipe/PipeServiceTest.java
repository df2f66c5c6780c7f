package org.posthorn.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.local.Fixture;

class PipeServiceTest {
    static final String MSG = "Subject: p\n\nFrom me\n.dot\nend\n";

    @TempDir
    Path tmp;
    Fixture f;

    @BeforeEach
    void setUp() throws IOException {
        f = new Fixture(tmp);
        // commands run as user=filter: an unprivileged uid when the tests run as root
        f.user("filter", 65534, tmp);
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    private void deliver(List<String> args, String sender, String... rcpts) throws Exception {
        Path q = f.message(sender, MSG, rcpts);
        PipeService.of(f.config(), "mypipe", args, f.passwd()).deliver(f.request(q, sender, rcpts));
    }

    @Test
    void argvExpansionOncePerRecipientAndFlags() throws Exception {
        Path args = tmp.resolve("args");
        Path in = tmp.resolve("in");
        f.params.put("recipient_delimiter", "+");
        deliver(List.of("-o", "x=y", "flags=RFB.>hu", "user=filter", "argv=/bin/sh", "-c",
                        "printf '%s|' \"$$@\" > " + args + "; cat > " + in, "sh",
                        "${sender}", "${recipient}", "${user}", "${extension}", "${domain}", "${nexthop}", "${queue_id}",
                        "${size}", "${client_address}", "x${mailbox}y"),
                "S@Remote.example", "Joe+Tag@Host.Example", "amy@host.example");
        assertThat(f.report.lines()).containsExactly(
                "sent to=<Joe+Tag@Host.Example> orig_to=<Joe+Tag@Host.Example> relay=mypipe dsn=2.0.0 (delivered via mypipe service)",
                "sent to=<amy@host.example> orig_to=<amy@host.example> relay=mypipe dsn=2.0.0 (delivered via mypipe service)");
        assertThat(Files.readString(args)).startsWith("S@Remote.example|joe+tag@host.example|amy@host.example|joe|amy|tag||"
                + "host.example|host.example|host.example|").endsWith("|1000|127.0.0.1|xjoe+tagy|xamyy|");
        assertThat(Files.readString(in)).matches("(?s)From S@Remote\\.example  [^\n]+\nReturn-Path: <S@Remote\\.example>\n"
                + "Subject: p\n\n>From me\n\\.\\.dot\nend\n\n");
    }

    @Test
    void deliveredToAndOriginalToFlagsForOneRecipient() throws Exception {
        Path in = tmp.resolve("in");
        deliver(List.of("user=filter", "flags=DO", "argv=/bin/sh", "-c", "cat > " + in), "s@x", "Joe@Host.Example");
        assertThat(Files.readString(in)).isEqualTo("X-Original-To: Joe@Host.Example\nDelivered-To: Joe@Host.Example\n" + MSG);
        deliver(List.of("user=filter", "flags=D", "argv=/bin/true"), "s@x", "a@host.example", "b@host.example");
        assertThat(f.report.entries.get(1).status().text()).isEqualTo(
                "mail system configuration error: flags D and O need mypipe_destination_recipient_limit = 1");
    }

    @Test
    void nullSenderAndEol() throws Exception {
        Path out = tmp.resolve("out");
        deliver(List.of("user=filter", "eol=\\r\\n", "null_sender=", "argv=/bin/sh", "-c", "printf '<%s>' \"$$1\" > " + out + "; cat >> " + out,
                "sh", "${sender}"), "", "a@host.example");
        assertThat(Files.readString(out)).isEqualTo("<>Subject: p\r\n\r\nFrom me\r\n.dot\r\nend\r\n");
    }

    @Test
    void exitCodesAndSize() throws Exception {
        deliver(List.of("user=filter", "argv=/bin/sh", "-c", "exit 75"), "s@x", "a@host.example");
        deliver(List.of("user=filter", "argv=/bin/sh", "-c", "echo no such user; exit 67"), "s@x", "a@host.example");
        deliver(List.of("user=filter", "size=10", "argv=/bin/true"), "s@x", "a@host.example");
        assertThat(f.report.lines()).containsExactly(
                "deferred to=<a@host.example> orig_to=<a@host.example> relay=mypipe dsn=4.3.0 (temporary failure)",
                "bounced to=<a@host.example> orig_to=<a@host.example> relay=mypipe dsn=5.1.1 (user unknown. Command output: no such user )",
                "bounced to=<a@host.example> orig_to=<a@host.example> relay=mypipe dsn=5.2.3 (message too large)");
    }

    @Test
    void directoryAttribute() throws Exception {
        Path out = tmp.resolve("pwd");
        deliver(List.of("user=filter", "directory=" + tmp, "argv=/bin/sh", "-c", "pwd > pwd"), "s@x", "a@host.example");
        assertThat(Files.readString(out).strip()).isEqualTo(tmp.toString());
    }

    @Test
    void runsAsTheUserWhenRoot() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.posthorn.local.Ownership.privileged(), "needs root");
        Path out = tmp.resolve("id");
        deliver(List.of("user=filter", "argv=/bin/sh", "-c", "id -u > " + out), "s@x", "a@host.example");
        assertThat(Files.readString(out).strip()).isEqualTo("65534");
        deliver(List.of("user=filter:nogroup", "argv=/bin/sh", "-c", "id -g > " + out), "s@x", "a@host.example");
        assertThat(Files.readString(out).strip()).isEqualTo("65534");
        deliver(List.of("user=filter:root", "argv=/bin/true"), "s@x", "a@host.example");
        assertThat(f.report.entries.get(2).status().text()).contains("privileged group id 0");
        f.user("rootish", 0, tmp);
        deliver(List.of("user=rootish", "argv=/bin/true"), "s@x", "a@host.example");
        assertThat(f.report.entries.get(3).status().text()).contains("specifies root privileges");
    }

    @Test
    void dollarThatStartsNoMacroIsAConfigurationError() throws Exception {
        deliver(List.of("user=filter", "argv=/bin/sh", "-c", "echo \"$@\""), "s@x", "a@host.example");
        assertThat(f.report.lines()).containsExactly(
                "deferred to=<a@host.example> orig_to=<a@host.example> relay=mypipe dsn=4.3.5 (mail system configuration error)");
    }

    @Test
    void badAttributes() {
        assertThatThrownBy(() -> PipeArgs.parse("p", List.of("flags=R"))).hasMessage("p: missing argv= command-line attribute");
        assertThatThrownBy(() -> PipeArgs.parse("p", List.of("bogus=1", "argv=/bin/true"))).hasMessage("p: unknown attribute name: bogus");
        assertThat(PipeArgs.unescape("a\\r\\n\\101")).isEqualTo("a\r\nA");
    }
}
