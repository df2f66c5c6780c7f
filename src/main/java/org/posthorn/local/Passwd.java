package org.posthorn.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * getpwnam(3) for delivery: the user's entry from a passwd(5) file (/etc/passwd). The parsed
 * entries are kept until the file's inode, size, modification or change time differ, so new
 * accounts are seen at the next lookup without a restart, and a delivery costs one stat
 * instead of reading the file. Names are matched exactly; the caller folds the local part
 * to lower case first, as local(8) does.
 */
public final class Passwd {
    private final Path file;
    private volatile Snapshot snapshot;

    /** The entries read, and the file's attributes taken before reading them. */
    private record Snapshot(Map<String, Object> stat, List<UserAccount> accounts) {
    }

    public Passwd(Path file) {
        this.file = file;
    }

    public static Passwd system() {
        return new Passwd(Path.of("/etc/passwd"));
    }

    /** The entry for a name, or null; IOException when the file cannot be read (defer). */
    public UserAccount lookup(String name) throws IOException {
        if (name.isEmpty() || name.indexOf(':') >= 0 || name.indexOf('\n') >= 0) return null;
        for (UserAccount a : accounts()) if (a.name().equals(name)) return a;
        return null;
    }

    /** The entry with a uid (the owner of an alias or include file), or null. */
    public UserAccount byUid(int uid) throws IOException {
        for (UserAccount a : accounts()) if (a.uid() == uid) return a;
        return null;
    }

    private List<UserAccount> accounts() throws IOException {
        // stat before reading: a change made while we read shows as different attributes next time
        Map<String, Object> stat = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
        Snapshot s = snapshot;
        if (s != null && s.stat.equals(stat)) return s.accounts;
        List<UserAccount> accounts = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            UserAccount a = UserAccount.parse(line);
            if (a != null) accounts.add(a);
        }
        List<UserAccount> read = List.copyOf(accounts);
        snapshot = new Snapshot(stat, read);
        return read;
    }
}
