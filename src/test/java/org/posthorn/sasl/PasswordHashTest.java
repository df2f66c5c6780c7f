package org.posthorn.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Hashes written by Dovecot 2.3.19's {@code doveadm pw -s SCHEME -p PASSWORD} (and one by
 * glibc's crypt(3)) must verify with the right password and fail with a wrong one.
 */
class PasswordHashTest {
    private static final String PASSWORD = "pässword 1";

    @Test
    void sha512CryptFromDoveadm() {
        String h = "{SHA512-CRYPT}$6$vDNmZUQXkbsNlmoP$FMyjx5wKy8fc/zyHDc2kXCVVI5bEpYywIK0TwOPl5vUne.7SqHrSoq8YRyz1XhpVl2hKzK2QrFgidUtsA07jX/";
        assertThat(PasswordHash.verify(h, PASSWORD)).isTrue();
        assertThat(PasswordHash.verify(h, "pässword 2")).isFalse();
        assertThat(PasswordHash.verify(h, "")).isFalse();
    }

    @Test
    void sha512CryptWithRoundsAndEmptyPassword() {
        assertThat(PasswordHash.verify("{SHA512-CRYPT}$6$rounds=10000$CHYLb35kzMkgTi1G$/rKz2103oLX3HsTGYNhpeLQmievRgCBiDQ83wLPBchgSPYDLMPNkJahUpMCuulfVIHMi36aE9.VilZa2Z0C8J0", "x")).isTrue();
        assertThat(PasswordHash.verify("{SHA512-CRYPT}$6$eJrrySvuc6hn6lOS$aVLoNY3CpFXDBt5cww6Jlk1rKIkX1F/g42g8HKCD/uQScs0SlvR4Zv/cfkB5pDU7w5c04vIMgLm9lJYjxla18/", "")).isTrue();
    }

    @Test
    void sha512CryptOfAKeyLongerThanTheDigestAsGlibcMakesIt() {
        // python3 crypt.crypt("a" * 100, "$6$rounds=1000$saltsaltsaltsaltXX"): the salt is cut at 16
        String glibc = "$6$rounds=1000$saltsaltsaltsalt$a1pY.N.Xr7nYIngC8wDE69PrzZB.f1jH9dlZa/RXaDgYiqedL7nkrKEXzp64l.LNE1aXfaBD8XeuqjBAowet00";
        assertThat(ShaCrypt.hash("$6$rounds=1000$saltsaltsaltsaltXX", "a".repeat(100).getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(glibc);
    }

    @Test
    void specificationTestVectors() {
        // the examples of Drepper's "Unix crypt using SHA-256 and SHA-512" (checked with glibc crypt(3))
        assertThat(ShaCrypt.hash("$6$saltstring", "Hello world!".getBytes(StandardCharsets.UTF_8))).isEqualTo(
                "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1");
        assertThat(ShaCrypt.hash("$5$saltstring", "Hello world!".getBytes(StandardCharsets.UTF_8))).isEqualTo(
                "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5");
        assertThat(ShaCrypt.hash("$6$rounds=10$roundstoolow", "the minimum number is still observed".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.");
    }

    @Test
    void sha256CryptFromDoveadm() {
        assertThat(PasswordHash.verify("{SHA256-CRYPT}$5$bwWDENgR8mpkpHWS$RH532SIErzDE/59oW/gJkX/4lvhcIuP0XGjQvbE/ZE8", PASSWORD)).isTrue();
        assertThat(PasswordHash.verify("{SHA256-CRYPT}$5$bwWDENgR8mpkpHWS$RH532SIErzDE/59oW/gJkX/4lvhcIuP0XGjQvbE/ZE8", "x")).isFalse();
    }

    @Test
    void bcryptFromDoveadm() {
        String h = "{BLF-CRYPT}$2y$05$0Wf20UCE5D8vDqGdZC3N1u.mOVkIBZVP/FDXJAh52UKYJa6h6quMC";
        assertThat(PasswordHash.verify(h, PASSWORD)).isTrue();
        assertThat(PasswordHash.verify(h, "password 1")).isFalse();
    }

    @Test
    void argon2FromDoveadm() {
        String id = "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$ii/9Kd2SmMbxYglld/pPjg$g924lUkTV2yqmCyfZ2qapQ8npwgq5oJVrWQK2IdSSi0";
        assertThat(PasswordHash.verify(id, PASSWORD)).isTrue();
        assertThat(PasswordHash.verify(id, "pässword")).isFalse();
        String i = "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$sCBFTuWb1nLk0MztzdJPQw$f/HloisJKbx/0wBkejkwKITGGKKEQlpfiKCO1p4cPwY";
        assertThat(PasswordHash.verify(i, PASSWORD)).isTrue();
    }

    @Test
    void plainAndBareCrypt() {
        assertThat(PasswordHash.verify("{PLAIN}secret", "secret")).isTrue();
        assertThat(PasswordHash.verify("{PLAIN}secret", "Secret")).isFalse();
        assertThat(PasswordHash.verify("{CLEARTEXT}secret", "secret")).isTrue();
        // no scheme: Dovecot's default CRYPT, which recognises the crypt string
        assertThat(PasswordHash.verify("$2y$05$0Wf20UCE5D8vDqGdZC3N1u.mOVkIBZVP/FDXJAh52UKYJa6h6quMC", PASSWORD)).isTrue();
    }

    @Test
    void unknownSchemesAndBrokenHashesAreConfigurationErrors() {
        assertThatThrownBy(() -> PasswordHash.verify("{MD5-CRYPT}$1$abc$def", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MD5-CRYPT");
        assertThatThrownBy(() -> PasswordHash.verify("{BLF-CRYPT}$2y$05$short", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PasswordHash.verify("{ARGON2ID}$argon2id$v=19$m=x$a$b", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PasswordHash.verify("{SHA512-CRYPT}$5$abc$def", "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
