package org.posthorn.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes a self-signed RSA certificate and key as PEM files (the default instance's
 * "snakeoil" pair), so that STARTTLS works before an administrator installs a real one.
 */
public final class SelfSigned {
    private SelfSigned() {
    }

    /**
     * Writes {@code keyFile} (PKCS#8, mode 0600) and {@code certFile} (mode 0644) for
     * {@code hostname}, valid for ten years, unless both exist already.
     */
    public static void create(String hostname, Path certFile, Path keyFile) throws IOException {
        if (Files.exists(certFile) && Files.exists(keyFile)) return;
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048, new SecureRandom());
            KeyPair pair = gen.generateKeyPair();
            X500Name name = new X500Name("CN=" + hostname.replaceAll("[,+=\"\\\\<>;]", "_"));
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))),
                    name, pair.getPublic());
            b.addExtension(Extension.basicConstraints, false, new BasicConstraints(false));
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, hostname)));
            X509CertificateHolder cert = b.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate()));
            writePem(keyFile, pair.getPrivate(), "rw-------");
            writePem(certFile, cert, "rw-r--r--");
        } catch (java.security.GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make a self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static void writePem(Path file, Object object, String mode) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(object instanceof java.security.PrivateKey k
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : object);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        Files.writeString(tmp, text.toString());
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
