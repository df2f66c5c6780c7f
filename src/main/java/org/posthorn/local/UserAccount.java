package org.posthorn.local;

/** A passwd(5) entry as delivery needs it: who owns the mailbox, where the home is. */
public record UserAccount(String name, int uid, int gid, String home, String shell) {
    /** Parses "name:x:uid:gid:gecos:home:shell"; null when the line is not a passwd entry. */
    static UserAccount parse(String line) {
        String[] f = line.split(":", -1);
        if (f.length < 7) return null;
        try {
            return new UserAccount(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5], f[6]);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
