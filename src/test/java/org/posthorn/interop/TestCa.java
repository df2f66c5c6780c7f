package org.posthorn.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A throwaway certificate authority made with openssl in a folder: the CA, server and
 * client certificates the TLS interop tests give to real peers (Postfix's smtpd reads them
 * as the user postfix, so the folder is world-readable).
 */
final class TestCa {
    final Path dir;
    final Path caCert;
    private final Path caKey;

    TestCa(Path dir) throws Exception {
        this.dir = dir;
        Files.createDirectories(dir);
        RealPostfix.worldSearchable(dir);
        caCert = dir.resolve("ca.pem");
        caKey = dir.resolve("ca.key");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", caCert.toString(),
                "-days", "2", "-subj", "/CN=Posthorn Test CA");
        readable(caCert);
    }

    /** A certificate signed by the CA, with these subjectAltName entries ("DNS:mx.example", "IP:127.0.0.1"). */
    Issued issue(String name, String cn, String... altNames) throws Exception {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        Path ext = dir.resolve(name + ".ext");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + cn);
        Files.writeString(ext, altNames.length == 0 ? "basicConstraints=CA:FALSE\n"
                : "subjectAltName=" + String.join(",", altNames) + "\n");
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
        // PKCS#8, as "openssl req" writes it
        Path chain = dir.resolve(name + "-chain.pem");
        Files.writeString(chain, Files.readString(cert) + Files.readString(caCert));
        for (Path p : List.of(key, cert, chain)) readable(p);
        return new Issued(cert, key, chain);
    }

    /** A certificate, its key, and the certificate followed by the CA (what a server sends for DANE-TA). */
    record Issued(Path cert, Path key, Path chain) {
        /** The certificate's fingerprint, "AB:CD:..." as openssl x509 -fingerprint prints it. */
        String fingerprint(String digest) throws Exception {
            String out = openssl("x509", "-in", cert.toString(), "-noout", "-fingerprint", "-" + digest);
            return out.substring(out.indexOf('=') + 1).strip();
        }

        /** SHA-256 of the certificate's SubjectPublicKeyInfo, hex (TLSA 3 1 1 data). */
        String spkiSha256() throws Exception {
            return sha256Of("x509", "-in", cert.toString(), "-noout", "-pubkey");
        }
    }

    /** SHA-256 of the CA certificate's DER encoding, hex (TLSA 2 0 1 data). */
    String caSha256() throws Exception {
        String out = openssl("x509", "-in", caCert.toString(), "-noout", "-fingerprint", "-sha256");
        return out.substring(out.indexOf('=') + 1).strip().replace(":", "").toLowerCase(java.util.Locale.ROOT);
    }

    private static String sha256Of(String... pemCommand) throws Exception {
        String pem = openssl(pemCommand);
        Path tmp = Files.createTempFile("spki", ".pem");
        try {
            Files.writeString(tmp, pem);
            PostcatOracle.Result r = PostcatOracle.run(List.of("openssl", "pkey", "-pubin", "-in", tmp.toString(), "-outform", "DER"));
            if (r.status() != 0) throw new IllegalStateException("openssl pkey: " + r.err());
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(r.out()));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void readable(Path p) throws Exception {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
    }

    static String openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        PostcatOracle.Result r = PostcatOracle.run(cmd);
        if (r.status() != 0) throw new IllegalStateException(cmd + " failed: " + r.err());
        return new String(r.out(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
