package org.posthorn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.posthorn.config.Config;

/** The user running a command: login name, uid and full name (NAME, else the GECOS field), as Postfix's commands see them. */
record LocalUser(String name, long uid, String fullName) {
    static LocalUser current() {
        String name = System.getProperty("user.name");
        long uid = -1;
        try {
            uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // unknown uid: shown as -1
        }
        String gecos = null;
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", -1);
                if (f.length >= 5 && f[0].equals(name)) {
                    gecos = f[4];
                    break;
                }
            }
        } catch (IOException e) {
            // no passwd file: no full name
        }
        String env = System.getenv("NAME");
        String full = env != null ? env : gecosName(gecos, name);
        return new LocalUser(name, uid, full);
    }

    /** The GECOS name: up to the first comma, {@code &} standing for the capitalised login name; null when empty. */
    static String gecosName(String gecos, String login) {
        if (gecos == null) return null;
        int comma = gecos.indexOf(',');
        String n = comma >= 0 ? gecos.substring(0, comma) : gecos;
        if (n.isEmpty()) return null;
        String cap = login.isEmpty() ? login : Character.toUpperCase(login.charAt(0)) + login.substring(1);
        return n.replace("&", cap);
    }

    /** root and mail_owner may always flush and list the queue. */
    boolean privileged(Config config) {
        return uid == 0 || name.equals(config.get("mail_owner"));
    }
}
