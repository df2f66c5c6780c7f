package org.posthorn.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * getpwnam(3) for delivery: the user's entry from a passwd(5) file (/etc/passwd), read at
 * each lookup so that new accounts are seen without a restart. Names are matched exactly;
 * the caller folds the local part to lower case first, as local(8) does.
 */
public final class Passwd {
    private final Path file;

    public Passwd(Path file) {
        this.file = file;
    }

    public static Passwd system() {
        return new Passwd(Path.of("/etc/passwd"));
    }

    /** The entry for a name, or null; IOException when the file cannot be read (defer). */
    public UserAccount lookup(String name) throws IOException {
        if (name.isEmpty() || name.indexOf(':') >= 0 || name.indexOf('\n') >= 0) return null;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines) {
            if (line.startsWith(name + ":")) {
                UserAccount a = UserAccount.parse(line);
                if (a != null) return a;
            }
        }
        return null;
    }

    /** The entry with a uid (the owner of an alias or include file), or null. */
    public UserAccount byUid(int uid) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            UserAccount a = UserAccount.parse(line);
            if (a != null && a.uid() == uid) return a;
        }
        return null;
    }
}
