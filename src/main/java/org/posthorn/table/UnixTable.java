package org.posthorn.table;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * unix:passwd.byname and unix:group.byname: a passwd(5) or group(5) line for a name, as
 * Postfix's default local_recipient_maps uses it. We read /etc/passwd and /etc/group rather
 * than call getpwnam(3) through the FFM API: a restricted native call prints a JVM warning
 * on every command's stderr unless native access is enabled, which would break postmap's
 * byte-identical output. Users only known to other NSS sources (LDAP, sssd) are not seen.
 */
final class UnixTable extends FoldedTable {
    private final Path file;
    private final boolean group;

    UnixTable(String name, KeyFold fold, Path file, boolean group) {
        super(name, fold);
        this.file = file;
        this.group = group;
    }

    /** The table for "passwd.byname" or "group.byname", or null for another name. */
    static UnixTable open(String spec, String map, KeyFold fold) {
        return switch (map) {
            case "passwd.byname" -> new UnixTable(spec, fold, Path.of("/etc/passwd"), false);
            case "group.byname" -> new UnixTable(spec, fold, Path.of("/etc/group"), true);
            default -> null;
        };
    }

    @Override
    String get(String key) throws TableException {
        if (key.isEmpty() || key.indexOf(':') >= 0 || key.indexOf('\n') >= 0) return null;
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.startsWith(key + ":"))
                    .findFirst()
                    .map(this::canonical)
                    .orElse(null);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new TableException("table " + name() + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The line as getpwnam/getgrnam fields print it: passwd has seven fields, group four. */
    private String canonical(String line) {
        String[] f = line.split(":", -1);
        int want = group ? 4 : 7;
        if (f.length >= want) return String.join(":", java.util.Arrays.copyOf(f, want));
        return line;
    }
}
