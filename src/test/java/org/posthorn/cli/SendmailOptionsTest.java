package org.posthorn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SendmailOptionsTest {
    @Test
    void flagsClusterAndArgumentsAttachOrFollow() {
        SendmailOptions o = SendmailOptions.parse(new String[]{"-tiv", "-fme@x", "-F", "Me Too", "-oi", "-om", "a@b", "c@d"});
        assertThat(o.extractRecipients).isTrue();
        assertThat(o.dotEndsInput).isFalse();
        assertThat(o.verbose).isEqualTo(1);
        assertThat(o.sender).isEqualTo("me@x");
        assertThat(o.fullName).isEqualTo("Me Too");
        assertThat(o.recipients).containsExactly("a@b", "c@d");
        assertThat(o.mode).isEqualTo(SendmailOptions.Mode.MAIL);
    }

    @Test
    void modes() {
        assertThat(SendmailOptions.parse(new String[]{"-bp"}).mode).isEqualTo(SendmailOptions.Mode.MAILQ);
        assertThat(SendmailOptions.parse(new String[]{"-bi"}).mode).isEqualTo(SendmailOptions.Mode.NEWALIASES);
        assertThat(SendmailOptions.parse(new String[]{"-I"}).mode).isEqualTo(SendmailOptions.Mode.NEWALIASES);
        assertThat(SendmailOptions.parse(new String[]{"-bs"}).mode).isEqualTo(SendmailOptions.Mode.SMTP);
        assertThat(SendmailOptions.parse(new String[]{"-bv", "x@y"}).mode).isEqualTo(SendmailOptions.Mode.VERIFY);
        assertThat(SendmailOptions.parse(new String[]{"-q"}).mode).isEqualTo(SendmailOptions.Mode.FLUSH);
        assertThat(SendmailOptions.parse(new String[]{"-q1h"}).mode).isEqualTo(SendmailOptions.Mode.NOTHING);
        SendmailOptions site = SendmailOptions.parse(new String[]{"-qRexample.com"});
        assertThat(site.mode).isEqualTo(SendmailOptions.Mode.FLUSH_SITE);
        assertThat(site.flushArgument).isEqualTo("example.com");
        assertThat(SendmailOptions.parse(new String[]{"-qR", "example.org"}).flushArgument).isEqualTo("example.org");
        assertThat(SendmailOptions.parse(new String[]{"-qIABC123"}).flushArgument).isEqualTo("ABC123");
    }

    @Test
    void dsnOptions() {
        SendmailOptions o = SendmailOptions.parse(new String[]{"-N", "success,delay", "-R", "full", "-V", "id1", "-B", "7bit"});
        assertThat(o.notifyFlags).isEqualTo(SendmailOptions.NOTIFY_SUCCESS | SendmailOptions.NOTIFY_DELAY);
        assertThat(o.retFlags).isEqualTo(1);
        assertThat(o.envid).isEqualTo("id1");
        assertThat(o.encoding).isEqualTo("7bit");
        SendmailOptions bad = SendmailOptions.parse(new String[]{"-N", "bogus"});
        assertThat(bad.notifyFlags).isZero();
        assertThat(bad.warnings).containsExactly("unknown DSN NOTIFY command value \"bogus\" in \"bogus\"", "bad -N option value -- ignored");
        assertThat(SendmailOptions.parse(new String[]{"-N", "never,success"}).notifyFlags).isZero();
    }

    @Test
    void verpAndIgnoredOptions() {
        assertThat(SendmailOptions.parse(new String[]{"-XV"}).verp).isEmpty();
        assertThat(SendmailOptions.parse(new String[]{"-XV-="}).verp).isEqualTo("-=");
        assertThat(SendmailOptions.parse(new String[]{"-X", "/tmp/log"}).verp).isNull();
        SendmailOptions o = SendmailOptions.parse(new String[]{"-Am", "-G", "-U", "-h", "5", "-L", "x", "-O", "a=b", "-o7", "-n", "-m", "-c", "-x", "r@x"});
        assertThat(o.recipients).containsExactly("r@x");
    }

    @Test
    void usageErrorsExitWith75LikePostfix() {
        assertThatThrownBy(() -> SendmailOptions.parse(new String[]{"-Z"})).isInstanceOf(CommandFailure.class)
                .hasMessage("usage: sendmail [options]").extracting(e -> ((CommandFailure) e).status()).isEqualTo(75);
        assertThatThrownBy(() -> SendmailOptions.parse(new String[]{"-V"})).hasMessage("usage: sendmail [options]");
        assertThatThrownBy(() -> SendmailOptions.parse(new String[]{"-B", "bad"})).hasMessage("-B option needs 8BITMIME or 7BIT");
        assertThatThrownBy(() -> SendmailOptions.parse(new String[]{"-bz"})).hasMessage("unsupported: -bz");
        assertThatThrownBy(() -> SendmailOptions.parse(new String[]{"-qSfoo"})).hasMessage("-qS is not implemented");
    }
}
