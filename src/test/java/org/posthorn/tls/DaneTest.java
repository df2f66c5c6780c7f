package org.posthorn.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.posthorn.tls.TlsPolicy.Level;

/**
 * TLSA matching, fingerprints and name checks on fixed certificates made with openssl: a
 * test CA, a leaf it signed (SANs mx.example.com, *.wild.example, 192.0.2.1), another CA,
 * and a self-signed certificate with only a CN. The digests below are openssl's.
 */
class DaneTest {
    static final String LEAF_SPKI_SHA256 = "9badaeeda5b2f28c134616dda81338e1d7b25ebb50e0281e15a440653735492f";
    static final String CA_CERT_SHA512 = "7903cc7193c378005f98f8388afc1efe8f496c8910738bd54e337b8b4245a293"
            + "27a79f085e9f1aa21f41baa9cdd5a4875b8303f18eafa1a8422927e84c59a815";
    static final String LEAF_SHA256_FINGERPRINT =
            "32:07:12:AE:57:F1:94:B4:FA:D4:D9:AE:55:39:0D:43:99:32:51:3B:AB:32:71:A4:F8:8C:D9:16:26:D0:73:98";
    static final String LEAF_MD5_FINGERPRINT = "B9:2E:7E:E7:2C:06:F9:A9:8D:12:81:00:F6:07:88:CF";

    static X509Certificate cert(String name) throws Exception {
        try (InputStream in = DaneTest.class.getResourceAsStream(name)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    void daneEeMatchesTheServerKeyWithoutNameChecks() throws Exception {
        X509Certificate leaf = cert("leaf.pem");
        X509Certificate[] chain = {leaf};
        assertThat(Dane.verify(List.of(new Tlsa(3, 1, 1, hex(LEAF_SPKI_SHA256))), chain, List.of("unrelated.example"))).isTrue();
        // one bit off
        assertThat(Dane.verify(List.of(new Tlsa(3, 1, 1, hex("8" + LEAF_SPKI_SHA256.substring(1)))), chain, List.of())).isFalse();
        // selector 0 hashes the whole certificate, not the key
        assertThat(Dane.verify(List.of(new Tlsa(3, 0, 1, hex(LEAF_SPKI_SHA256))), chain, List.of())).isFalse();
        // matching type 0: the full key
        assertThat(new Tlsa(3, 1, 0, leaf.getPublicKey().getEncoded()).matches(leaf)).isTrue();
    }

    @Test
    void daneTaNeedsTheAnchorInTheChainASignedPathAndAName() throws Exception {
        X509Certificate leaf = cert("leaf.pem");
        X509Certificate ca = cert("ca.pem");
        List<Tlsa> ta = List.of(new Tlsa(2, 0, 2, hex(CA_CERT_SHA512)));
        assertThat(Dane.verify(ta, new X509Certificate[] {leaf, ca}, List.of("mx.example.com"))).isTrue();
        assertThat(Dane.verify(ta, new X509Certificate[] {leaf, ca}, List.of("other.example.com"))).isFalse();
        // the server did not send the CA
        assertThat(Dane.verify(ta, new X509Certificate[] {leaf}, List.of("mx.example.com"))).isFalse();
        // a CA that did not sign the leaf, presented with the leaf
        X509Certificate other = cert("other-ca.pem");
        List<Tlsa> otherTa = List.of(new Tlsa(2, 0, 0, other.getEncoded()));
        assertThat(Dane.verify(otherTa, new X509Certificate[] {leaf, other}, List.of("mx.example.com"))).isFalse();
    }

    @Test
    void usability() {
        assertThat(new Tlsa(3, 1, 1, new byte[32]).usable()).isTrue();
        assertThat(new Tlsa(3, 1, 1, new byte[20]).usable()).isFalse();
        assertThat(new Tlsa(1, 1, 1, new byte[32]).usable()).isFalse();
        assertThat(new Tlsa(0, 0, 1, new byte[32]).usable()).isFalse();
        assertThat(new Tlsa(2, 2, 1, new byte[32]).usable()).isFalse();
        assertThat(new Tlsa(2, 0, 2, new byte[64]).usable()).isTrue();
        assertThat(new Tlsa(3, 1, 255, new byte[2], "SHA-256").usable()).isFalse();
        assertThat(new Tlsa(3, 1, 255, new byte[2], "SHA-256")).hasToString("3 1 255 0000");
    }

    @Test
    void fingerprintsWithTheConfiguredDigest() throws Exception {
        X509Certificate leaf = cert("leaf.pem");
        String sha256 = Tlsa.digestAlgorithm("sha256");
        Tlsa fp = new Tlsa(3, 0, 255, Tlsa.parseFingerprint(LEAF_SHA256_FINGERPRINT), sha256);
        assertThat(fp.usable()).isTrue();
        assertThat(fp.matches(leaf)).isTrue();
        assertThat(new Tlsa(3, 0, 255, Tlsa.parseFingerprint(LEAF_MD5_FINGERPRINT.toLowerCase()), "MD5").matches(leaf)).isTrue();
        assertThat(new Tlsa(3, 0, 255, Tlsa.parseFingerprint(LEAF_MD5_FINGERPRINT), sha256).usable()).isFalse();
        assertThat(Tlsa.parseFingerprint("zz:11")).isNull();
        assertThat(Tlsa.digestAlgorithm("sha3")).isNull();
    }

    @Test
    void names() throws Exception {
        X509Certificate leaf = cert("leaf.pem");
        assertThat(CertNames.matches(leaf, List.of("MX.example.com"))).isTrue();
        assertThat(CertNames.matches(leaf, List.of("mx.example.com."))).isTrue();
        assertThat(CertNames.matches(leaf, List.of(".example.com"))).isTrue();
        assertThat(CertNames.matches(leaf, List.of("example.com"))).isFalse();
        // a wildcard covers one label only
        assertThat(CertNames.matches(leaf, List.of("a.wild.example"))).isTrue();
        assertThat(CertNames.matches(leaf, List.of("a.b.wild.example"))).isFalse();
        assertThat(CertNames.matches(leaf, List.of("wild.example"))).isFalse();
        assertThat(CertNames.matches(leaf, List.of(".wild.example"))).isTrue();
        // IP literals compare with the IP address names only
        assertThat(CertNames.matches(leaf, List.of("192.0.2.1"))).isTrue();
        assertThat(CertNames.matches(leaf, List.of("192.0.2.2"))).isFalse();
        // the CN counts only without DNS names
        assertThat(CertNames.dnsNames(leaf)).containsExactly("mx.example.com", "*.wild.example");
        assertThat(CertNames.matches(cert("cn-only.pem"), List.of("cn.example.net"))).isTrue();
    }

    @Test
    void serverCertCheckPerLevel() throws Exception {
        X509Certificate leaf = cert("leaf.pem");
        X509Certificate ca = cert("ca.pem");
        CertVerifier anchors = new CertVerifier(List.of(ca), 9);
        X509Certificate[] chain = {leaf};
        ServerCertCheck verified = ServerCertCheck.check(Level.VERIFY, chain, anchors, List.of("mx.example.com"), List.of());
        assertThat(verified.trust().word()).isEqualTo("Verified");
        ServerCertCheck mismatch = ServerCertCheck.check(Level.VERIFY, chain, anchors, List.of("192.0.2.9"), List.of());
        assertThat(mismatch.trust().word()).isEqualTo("Trusted");
        assertThat(mismatch.failure()).isEqualTo("num=64:IP address mismatch");
        ServerCertCheck untrusted = ServerCertCheck.check(Level.VERIFY, chain, new CertVerifier(List.of(cert("other-ca.pem")), 9),
                List.of("mx.example.com"), List.of());
        assertThat(untrusted.trust().word()).isEqualTo("Untrusted");
        assertThat(untrusted.failure()).isEqualTo("untrusted issuer /O=Posthorn/CN=Unit Test CA");
        // the server sent its root along: OpenSSL names the issuer
        assertThat(ServerCertCheck.check(Level.VERIFY, new X509Certificate[] {leaf, ca},
                new CertVerifier(List.of(cert("other-ca.pem")), 9), List.of("mx.example.com"), List.of()).failure())
                .isEqualTo("untrusted issuer /O=Posthorn/CN=Unit Test CA");
        // may: trust is noted, names are not checked
        assertThat(ServerCertCheck.check(Level.MAY, new X509Certificate[] {leaf, ca}, anchors, List.of(), List.of()).trust().word())
                .isEqualTo("Trusted");
        assertThat(ServerCertCheck.check(Level.MAY, chain, new CertVerifier(List.of(), 9), List.of(), List.of()).trust().word()).isEqualTo("Untrusted");
    }
}
