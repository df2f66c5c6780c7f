package org.posthorn.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Keys and certificates from PEM files as Postfix takes them: PKCS#8 keys
 * ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA and SEC1 EC keys ({@code BEGIN RSA/EC PRIVATE KEY}),
 * certificates, and files that hold a key and its chain together. Encrypted keys are refused.
 */
public final class PemFiles {
    private PemFiles() {
    }

    /**
     * The key chains of {@code smtpd_tls_chain_files}: the files read as one sequence in which
     * each key is followed by its certificate, then that certificate's issuers (a key may also
     * follow its certificates, as when a cert file and a key file are listed in that order).
     */
    public static List<KeyChain> chainFiles(List<Path> files) {
        List<PrivateKey> keys = new ArrayList<>();
        List<List<X509Certificate>> chains = new ArrayList<>();
        List<Path> origins = new ArrayList<>();
        for (Path file : files) {
            for (Object item : read(file)) {
                if (item instanceof PrivateKey key) {
                    int last = keys.size() - 1;
                    if (last >= 0 && keys.get(last) == null) {
                        keys.set(last, key); // the key after its certificates
                    } else {
                        keys.add(key);
                        chains.add(new ArrayList<>());
                        origins.add(file);
                    }
                } else {
                    X509Certificate cert = (X509Certificate) item;
                    if (keys.isEmpty()) {
                        keys.add(null);
                        chains.add(new ArrayList<>());
                        origins.add(file);
                    }
                    chains.getLast().add(cert);
                }
            }
        }
        List<KeyChain> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i) == null) throw new TlsConfigException("no private key for the certificate chain in " + origins.get(i));
            if (chains.get(i).isEmpty()) throw new TlsConfigException("no certificate for the private key in " + origins.get(i));
            out.add(checked(new KeyChain(keys.get(i), chains.get(i)), origins.get(i)));
        }
        if (out.isEmpty()) throw new TlsConfigException("no private key or certificate in " + files);
        return out;
    }

    /** The key chain of a {@code *_cert_file} (leaf first, then issuers) and {@code *_key_file} (may be the same file). */
    public static KeyChain certAndKey(Path certFile, Path keyFile) {
        List<X509Certificate> certs = new ArrayList<>();
        for (Object item : read(certFile)) if (item instanceof X509Certificate c) certs.add(c);
        if (certs.isEmpty()) throw new TlsConfigException("cannot get certificate from file \"" + certFile + "\"");
        PrivateKey key = null;
        for (Object item : read(keyFile)) {
            if (item instanceof PrivateKey k) {
                key = k;
                break;
            }
        }
        if (key == null) throw new TlsConfigException("cannot get private key from file \"" + keyFile + "\"");
        return checked(new KeyChain(key, certs), keyFile);
    }

    /** Every certificate in a file ({@code *_CAfile}); keys in it are ignored. */
    public static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> out = new ArrayList<>();
        for (Object item : read(file)) if (item instanceof X509Certificate c) out.add(c);
        return out;
    }

    /** The certificates of a {@code *_CApath} directory: every readable PEM file in it (c_rehash links included). */
    public static List<X509Certificate> directory(Path dir) {
        List<X509Certificate> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (!Files.isRegularFile(f)) continue;
                try {
                    out.addAll(certificates(f));
                } catch (TlsConfigException e) {
                    // as OpenSSL: a file that is no PEM certificate is skipped
                }
            }
        } catch (IOException e) {
            throw new TlsConfigException("cannot read CA directory " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The keys (as PrivateKey) and certificates (as X509Certificate) of a PEM file, in file order. */
    static List<Object> read(Path file) {
        List<Object> out = new ArrayList<>();
        JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
        JcaX509CertificateConverter certs = new JcaX509CertificateConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                switch (o) {
                    case X509CertificateHolder h -> out.add(certs.getCertificate(h));
                    case PrivateKeyInfo info -> out.add(keys.getPrivateKey(info));
                    // only the private part: a SEC1 key need not carry its public key
                    case PEMKeyPair pair -> out.add(keys.getPrivateKey(pair.getPrivateKeyInfo()));
                    case org.bouncycastle.openssl.PEMEncryptedKeyPair p ->
                            throw new TlsConfigException("encrypted private key in " + file + ": not supported");
                    case org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo p ->
                            throw new TlsConfigException("encrypted private key in " + file + ": not supported");
                    default -> { } // parameters (EC PARAMETERS before a SEC1 key), CRLs: not ours
                }
            }
        } catch (TlsConfigException e) {
            throw e;
        } catch (IOException e) {
            throw new TlsConfigException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (CertificateException | RuntimeException e) {
            throw new TlsConfigException("bad PEM data in " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Refuses a key that does not belong to its leaf certificate (OpenSSL's "key values mismatch"). */
    private static KeyChain checked(KeyChain chain, Path file) {
        PublicKey pub = chain.leaf().getPublicKey();
        if (!pub.getAlgorithm().equals(chain.key().getAlgorithm()) || !matches(chain.key(), pub)) {
            throw new TlsConfigException("private key in " + file + " does not match its certificate \""
                    + chain.leaf().getSubjectX500Principal().getName() + "\"");
        }
        return chain;
    }

    private static boolean matches(PrivateKey key, PublicKey pub) {
        if (key instanceof java.security.interfaces.RSAPrivateKey rk && pub instanceof java.security.interfaces.RSAPublicKey rp) {
            return rk.getModulus().equals(rp.getModulus());
        }
        try {
            // sign and verify a probe: works for EC, EdDSA and anything else
            String alg = switch (key.getAlgorithm()) {
                case "EC" -> "SHA256withECDSA";
                case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
                default -> null;
            };
            if (alg == null) return true;
            byte[] probe = "posthorn".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature s = java.security.Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            java.security.Signature v = java.security.Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(sig);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

}
