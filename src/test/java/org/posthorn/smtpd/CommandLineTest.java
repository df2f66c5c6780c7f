package org.posthorn.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {
    @Test
    void theWordAfterTheVerbSplitsAfterItsColon() {
        CommandLine c = CommandLine.parse("MAIL FROM:<a b@c> SIZE=10");
        assertThat(c.verb()).isEqualTo("MAIL");
        assertThat(c.args()).isEqualTo(List.of("FROM:", "<a b@c>", "SIZE=10"));
        assertThat(CommandLine.parse("RCPT TO: <x@y>").args()).isEqualTo(List.of("TO:", "<x@y>"));
        assertThat(CommandLine.parse("   ").verb()).isEmpty();
    }

    @Test
    void quotedAndBracketedTextIsOneWord() {
        assertThat(CommandLine.parse("RCPT TO:<\"a b\"@c> NOTIFY=NEVER").args())
                .isEqualTo(List.of("TO:", "<\"a b\"@c>", "NOTIFY=NEVER"));
    }

    @Test
    void addressesLoseBracketsAndSourceRoutes() {
        assertThat(CommandLine.extractAddress("<a@b>", false)).isEqualTo("a@b");
        assertThat(CommandLine.extractAddress("<>", false)).isEmpty();
        assertThat(CommandLine.extractAddress("a@b", false)).isEqualTo("a@b");
        assertThat(CommandLine.extractAddress("a@b", true)).isNull();
        assertThat(CommandLine.extractAddress("<@r1,@r2:u@d>", false)).isEqualTo("u@d");
        assertThat(CommandLine.extractAddress("<\"x y\"@d>", false)).isEqualTo("\"x y\"@d");
        assertThat(CommandLine.extractAddress("<u@[IPv6:::1]>", false)).isEqualTo("u@[IPv6:::1]");
    }

    @Test
    void malformedAddressesAreRefused() {
        assertThat(CommandLine.extractAddress("<a@b", false)).isNull();
        assertThat(CommandLine.extractAddress("<a,b@c>", false)).isNull();
        assertThat(CommandLine.extractAddress("<\"open@c>", false)).isNull();
        assertThat(CommandLine.extractAddress("<a(comment)@c>", false)).isNull();
    }
}
