package org.posthorn.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * The default instance of a checkout: var/etc/main.cf and master.cf written from the
 * templates in resources (org/posthorn/config/default-main.cf, default-master.cf), with
 * the checkout's paths and the invoking user and group filled in, an aliases file naming
 * the user as postmaster, and a self-signed certificate and key for STARTTLS
 * (smtpd-cert.pem, smtpd-key.pem). Files that exist are left alone.
 */
public final class DefaultInstance {
    private DefaultInstance() {
    }

    /** Writes the instance into {@code etc} unless its main.cf exists; {@code home} is the checkout. */
    public static void create(Path home, Path etc) throws IOException {
        if (Instance.exists(etc)) return;
        Files.createDirectories(etc);
        write(etc.resolve("master.cf"), template("default-master.cf", home));
        write(etc.resolve("aliases"), "# aliases(5) of the default instance: run bin/newaliases after a change.\n"
                + "postmaster: " + System.getProperty("user.name") + "\n");
        // a self-signed certificate so that STARTTLS works out of the box (main.cf names these files)
        org.posthorn.tls.SelfSigned.create("localhost.localdomain", etc.resolve("smtpd-cert.pem"), etc.resolve("smtpd-key.pem"));
        // main.cf last: its presence marks the instance as made
        write(etc.resolve("main.cf"), template("default-main.cf", home));
    }

    private static void write(Path file, String text) throws IOException {
        if (Files.exists(file)) return;
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + ProcessHandle.current().pid());
        Files.writeString(tmp, text);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The invoking user's group, as the owner group of a file it makes (setgid_group of the instance). */
    private static String primaryGroup(Path home) throws IOException {
        Path probe = Files.createTempFile(home.resolve("var"), ".group", "");
        try {
            return Files.readAttributes(probe, PosixFileAttributes.class).group().getName();
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private static String template(String name, Path home) throws IOException {
        try (InputStream in = DefaultInstance.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing built-in template " + name);
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String user = System.getProperty("user.name");
            return text.replace("@HOME@", home.toString()).replace("@USER@", user).replace("@GROUP@", primaryGroup(home));
        }
    }
}
