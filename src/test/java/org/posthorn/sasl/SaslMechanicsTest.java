package org.posthorn.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.posthorn.log.Log;
import org.posthorn.table.Maps;
import org.posthorn.table.Table;

/** The built-in PLAIN/LOGIN server, the client side, security options and mechanism filters. */
class SaslMechanicsTest {
    private static final SaslServer.Peer PEER = new SaslServer.Peer("192.0.2.1", 1234, "192.0.2.2", 25, false, "smtp");

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static PasswordTableServer server(String localDomain) {
        Map<String, String> users = Map.of("alice@example.org", "{PLAIN}secret", "broken@example.org", "{NOPE}x");
        Table t = new Table() {
            @Override
            public String name() {
                return "test:users";
            }

            @Override
            public String lookup(String key) {
                return users.get(key);
            }
        };
        return new PasswordTableServer(Maps.of(t), localDomain, Log.of("test"));
    }

    @Test
    void plainWithAndWithoutInitialResponse() throws Exception {
        PasswordTableServer s = server("");
        assertThat(s.start("PLAIN", b64("\0alice@example.org\0secret"), PEER))
                .isEqualTo(new SaslServer.Step.Success("alice@example.org"));
        assertThat(s.start("plain", null, PEER)).isEqualTo(new SaslServer.Step.Challenge(""));
        assertThat(s.next(b64("alice@example.org\0alice@example.org\0secret")))
                .isEqualTo(new SaslServer.Step.Success("alice@example.org"));
        assertThat(s.start("PLAIN", b64("\0alice@example.org\0wrong"), PEER))
                .isEqualTo(new SaslServer.Step.Failure("authentication failure", "alice@example.org", false));
        assertThat(s.start("PLAIN", b64("bob\0alice@example.org\0secret"), PEER)).isInstanceOf(SaslServer.Step.Failure.class);
        assertThat(s.start("PLAIN", "!!!!", PEER))
                .isEqualTo(new SaslServer.Step.Failure("Invalid base64 data in initial response", null, false));
        assertThat(s.start("PLAIN", "=", PEER)).isInstanceOf(SaslServer.Step.Failure.class);
    }

    @Test
    void loginAsksForNameThenPassword() throws Exception {
        PasswordTableServer s = server("example.org");
        assertThat(s.start("LOGIN", null, PEER)).isEqualTo(new SaslServer.Step.Challenge("VXNlcm5hbWU6"));
        assertThat(s.next(b64("alice"))).isEqualTo(new SaslServer.Step.Challenge("UGFzc3dvcmQ6"));
        // smtpd_sasl_local_domain completes the bare name
        assertThat(s.next(b64("secret"))).isEqualTo(new SaslServer.Step.Success("alice@example.org"));
        assertThat(s.start("LOGIN", b64("alice@example.org"), PEER)).isEqualTo(new SaslServer.Step.Challenge("UGFzc3dvcmQ6"));
        assertThat(s.next("a=b")).isEqualTo(new SaslServer.Step.Failure("Invalid base64 data in continued response", null, false));
        // a hash this server cannot read refuses the login (and warns), it does not throw
        s.start("LOGIN", b64("broken@example.org"), PEER);
        assertThat(s.next(b64("x"))).isEqualTo(new SaslServer.Step.Failure("authentication failure", "broken@example.org", false));
    }

    @Test
    void securityOptionsAndFilters() {
        SecurityOptions noplain = SecurityOptions.parse("smtpd_sasl_security_options", "noanonymous, noplaintext");
        assertThat(noplain.allows(Mechanism.PLAIN)).isFalse();
        assertThat(noplain.allows(Mechanism.known("CRAM-MD5"))).isTrue();
        assertThat(noplain.allows(Mechanism.known("ANONYMOUS"))).isFalse();
        assertThat(SecurityOptions.parse("x", "noanonymous").filter(List.of(Mechanism.PLAIN, Mechanism.LOGIN))).hasSize(2);
        assertThat(SecurityOptions.parse("x", "mutual_auth").allows(Mechanism.PLAIN)).isFalse();
        assertThatThrownBy(() -> SecurityOptions.parse("smtpd_sasl_security_options", "nonsense"))
                .hasMessageContaining("nonsense");
        MechanismFilter f = new MechanismFilter("!external, static:rest");
        assertThat(f.allows("PLAIN")).isTrue();
        assertThat(f.allows("EXTERNAL")).isFalse();
        assertThat(new MechanismFilter("login").allows("PLAIN")).isFalse();
        assertThat(new MechanismFilter("").allows("PLAIN")).isTrue();
    }

    @Test
    void clientPrefersPlainAndAnswersLoginPrompts() {
        SecurityOptions opts = SecurityOptions.parse("x", "noanonymous");
        SaslClient plain = SaslClient.choose(List.of("LOGIN", "PLAIN"), new MechanismFilter(""), opts, "u", "p");
        assertThat(plain.command()).isEqualTo("AUTH PLAIN " + b64("\0u\0p"));
        SaslClient login = SaslClient.choose(List.of("LOGIN", "PLAIN"), new MechanismFilter("login"), opts, "u", "p");
        assertThat(login.command()).isEqualTo("AUTH LOGIN");
        assertThat(login.respond("VXNlcm5hbWU6")).isEqualTo(b64("u"));
        assertThat(login.respond("UGFzc3dvcmQ6")).isEqualTo(b64("p"));
        assertThat(SaslClient.choose(List.of("PLAIN"), new MechanismFilter(""),
                SecurityOptions.parse("x", "noplaintext"), "u", "p")).isNull();
    }

    @Test
    void dovecotEscaping() {
        assertThat(DovecotAuthServer.escape("a\tb\nc\001")).isEqualTo("a\001tb\001nc\0011");
        assertThat(DovecotAuthServer.unescape("a\001tb\001nc\0011")).isEqualTo("a\tb\nc\001");
    }
}
