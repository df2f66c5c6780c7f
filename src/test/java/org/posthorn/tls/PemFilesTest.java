package org.posthorn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {
    @TempDir
    Path dir;

    static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static X509Certificate cert(String cn, KeyPair subject, String issuerCn, PrivateKey issuerKey) throws Exception {
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + issuerCn), BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(86400)), new X500Name("CN=" + cn), subject.getPublic());
        String alg = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(issuerKey)));
    }

    /** PEM text: a KeyPair is written the traditional way (PKCS#1 RSA, SEC1 EC); a PrivateKey as PKCS#8. */
    static String pem(Object... objects) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) w.writeObject(o instanceof PrivateKey k ? new JcaPKCS8Generator(k, null) : o);
        }
        return out.toString();
    }

    /** An EC key as OpenSSL writes SEC1 ("EC PRIVATE KEY" with the curve and the public key inside). */
    static String sec1(KeyPair k) throws Exception {
        var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(k.getPrivate().getEncoded());
        var inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        var pub = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(k.getPublic().getEncoded()).getPublicKeyData();
        var key = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(), pub,
                info.getPrivateKeyAlgorithm().getParameters());
        return pem(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", key.getEncoded()));
    }

    private Path file(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void certFileWithChainAndEveryKeyFormat() throws Exception {
        KeyPair ca = rsa();
        KeyPair leaf = rsa();
        X509Certificate caCert = cert("Test CA", ca, "Test CA", ca.getPrivate());
        X509Certificate leafCert = cert("mx.test", leaf, "Test CA", ca.getPrivate());
        Path certFile = file("cert.pem", pem(leafCert, caCert));
        String pkcs1 = pem(leaf);
        assertThat(pkcs1).contains("BEGIN RSA PRIVATE KEY");
        String pkcs8 = pem(leaf.getPrivate());
        assertThat(pkcs8).contains("BEGIN PRIVATE KEY");
        for (String keyText : List.of(pkcs1, pkcs8)) {
            KeyChain c = PemFiles.certAndKey(certFile, file("key.pem", keyText));
            assertThat(c.chain()).containsExactly(leafCert, caCert);
            assertThat(c.keyType()).isEqualTo("RSA");
        }
        // key and certificate in one file (smtpd_tls_key_file = $smtpd_tls_cert_file)
        Path both = file("both.pem", pem(leaf.getPrivate()) + pem(leafCert));
        assertThat(PemFiles.certAndKey(both, both).leaf()).isEqualTo(leafCert);

        KeyPair eck = ec();
        X509Certificate ecCert = cert("mx.test", eck, "Test CA", ca.getPrivate());
        String sec1 = sec1(eck);
        assertThat(sec1).contains("BEGIN EC PRIVATE KEY");
        assertThat(PemFiles.certAndKey(file("ec.pem", pem(ecCert)), file("eckey.pem", sec1)).keyType()).isEqualTo("EC");
    }

    @Test
    void chainFilesWithRsaAndEcdsaChooseByKeyType() throws Exception {
        KeyPair ca = rsa();
        X509Certificate caCert = cert("Test CA", ca, "Test CA", ca.getPrivate());
        KeyPair r = rsa();
        KeyPair e = ec();
        X509Certificate rc = cert("mx.test", r, "Test CA", ca.getPrivate());
        X509Certificate ecc = cert("mx.test", e, "Test CA", ca.getPrivate());
        // one file: RSA key, its chain, EC key, its chain; a second file: a cert before its key
        Path one = file("chain.pem", pem(r.getPrivate(), rc, caCert) + sec1(e) + pem(ecc, caCert));
        List<KeyChain> chains = PemFiles.chainFiles(List.of(one));
        assertThat(chains).hasSize(2);
        assertThat(chains.get(0).chain()).containsExactly(rc, caCert);
        assertThat(chains.get(1).chain()).containsExactly(ecc, caCert);
        Path certFirst = file("certfirst.pem", pem(rc) + pem(r.getPrivate()));
        assertThat(PemFiles.chainFiles(List.of(certFirst)).getFirst().leaf()).isEqualTo(rc);

        ChainKeyManager km = new ChainKeyManager(chains);
        assertThat(((java.security.interfaces.ECPrivateKey) km.getPrivateKey(km.chooseServerAlias("EC", null,
                (java.net.Socket) null))).getS()).isEqualTo(((java.security.interfaces.ECPrivateKey) e.getPrivate()).getS());
        assertThat(km.getPrivateKey(km.chooseServerAlias("RSA", null, (java.net.Socket) null)).getEncoded())
                .isEqualTo(r.getPrivate().getEncoded());
        assertThat(km.chooseServerAlias("RSASSA-PSS", null, (java.net.Socket) null))
                .isEqualTo(km.chooseServerAlias("RSA", null, (java.net.Socket) null));
        assertThat(km.getCertificateChain(km.chooseServerAlias("EC", null, (java.net.Socket) null))).containsExactly(ecc, caCert);
        assertThat(km.chooseServerAlias("EdDSA", null, (java.net.Socket) null)).isNull();
        assertThat(new ChainKeyManager(List.of(chains.getFirst())).chooseServerAlias("EC", null, (java.net.Socket) null)).isNull();
    }

    @Test
    void errorsNameTheFile() throws Exception {
        KeyPair a = rsa();
        KeyPair b = rsa();
        X509Certificate ac = cert("a", a, "a", a.getPrivate());
        Path cert = file("a.pem", pem(ac));
        Path wrongKey = file("b.key", pem(b.getPrivate()));
        assertThatThrownBy(() -> PemFiles.certAndKey(cert, wrongKey)).isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("b.key").hasMessageContaining("does not match");
        assertThatThrownBy(() -> PemFiles.certAndKey(cert, cert)).isInstanceOf(TlsConfigException.class)
                .hasMessage("cannot get private key from file \"" + cert + "\"");
        assertThatThrownBy(() -> PemFiles.certAndKey(dir.resolve("missing.pem"), cert)).isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("missing.pem");
        Path junk = file("junk.pem", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> PemFiles.certificates(junk)).isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("junk.pem");
        Path keyOnly = file("keyonly.pem", pem(a.getPrivate()));
        assertThatThrownBy(() -> PemFiles.chainFiles(List.of(keyOnly))).hasMessageContaining("no certificate for the private key");
        Path certOnly = file("certonly.pem", pem(ac));
        assertThatThrownBy(() -> PemFiles.chainFiles(List.of(certOnly))).hasMessageContaining("no private key");
    }

    @Test
    void selfSignedKeyIsPrivateAndLoads() throws Exception {
        Path cert = dir.resolve("c.pem");
        Path key = dir.resolve("k.pem");
        SelfSigned.create("mx.example.test", cert, key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        KeyChain c = PemFiles.certAndKey(cert, key);
        assertThat(c.leaf().getSubjectX500Principal().getName()).isEqualTo("CN=mx.example.test");
        assertThat(new CertVerifier(List.of(c.leaf()), 9).trusted(new X509Certificate[] {c.leaf()})).isTrue();
        String before = Files.readString(cert);
        SelfSigned.create("other", cert, key);
        assertThat(Files.readString(cert)).isEqualTo(before);
    }

    @Test
    void verifierAndFingerprints() throws Exception {
        KeyPair ca = rsa();
        X509Certificate caCert = cert("Test CA", ca, "Test CA", ca.getPrivate());
        KeyPair leaf = rsa();
        X509Certificate leafCert = cert("client", leaf, "Test CA", ca.getPrivate());
        KeyPair other = rsa();
        X509Certificate self = cert("self", other, "self", other.getPrivate());
        CertVerifier v = new CertVerifier(List.of(caCert), 9);
        assertThat(v.failure(new X509Certificate[] {leafCert})).isNull();
        assertThat(v.failure(new X509Certificate[] {leafCert, caCert})).isNull();
        assertThat(v.failure(new X509Certificate[] {self})).isEqualTo("self-signed certificate");
        X509Certificate foreign = cert("client", leaf, "Other CA", other.getPrivate());
        assertThat(v.failure(new X509Certificate[] {foreign})).isEqualTo("unable to get local issuer certificate");
        String fp = Fingerprints.certificate(leafCert, "sha256");
        assertThat(fp).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(Fingerprints.certificate(leafCert, "md5")).hasSize(47);
        assertThat(Fingerprints.publicKey(leafCert, "sha256")).isNotEqualTo(fp);
    }
}
