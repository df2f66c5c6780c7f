package org.posthorn.table;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.posthorn.config.ConfigSyntaxException;
import org.posthorn.config.MainCf;

/**
 * The "name = value" file behind pgsql:, mysql: and memcache: tables (Postfix's cfg_parser):
 * main.cf syntax, no $name expansion. Values are checked the way Postfix checks them, with
 * its messages ("FILE: bad string length 0 < 1: dbname = ").
 */
final class DbConfig {
    private final String file;
    private final Map<String, MainCf.Entry> entries;

    private DbConfig(String file, Map<String, MainCf.Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    static DbConfig read(String file) throws TableException {
        Path path = Path.of(file);
        try {
            if (!Files.exists(path)) throw new NoSuchFileException(file);
            return new DbConfig(file, MainCf.read(path, file).entries());
        } catch (NoSuchFileException e) {
            throw new TableException("open " + file + ": No such file or directory", e);
        } catch (AccessDeniedException e) {
            throw new TableException("open " + file + ": Permission denied", e);
        } catch (ConfigSyntaxException e) {
            throw new TableException(e.getMessage(), e);
        } catch (IOException e) {
            throw new TableException("open " + file + ": " + e.getMessage(), e);
        }
    }

    String file() {
        return file;
    }

    boolean has(String name) {
        return entries.containsKey(name);
    }

    /** The value, or {@code dflt} when absent; {@code minLength} 1 makes an empty value an error. */
    String get(String name, String dflt, int minLength) throws TableException {
        MainCf.Entry e = entries.get(name);
        String v = e == null ? dflt : e.value();
        if (v != null && v.length() < minLength) {
            throw new TableException(file + ": bad string length " + v.length() + " < " + minLength + ": " + name + " = " + v);
        }
        return v;
    }

    String get(String name, String dflt) throws TableException {
        return get(name, dflt, 0);
    }

    int getInt(String name, int dflt, int min) throws TableException {
        MainCf.Entry e = entries.get(name);
        if (e == null) return dflt;
        int v;
        try {
            v = Integer.parseInt(e.value().strip());
        } catch (NumberFormatException x) {
            throw new TableException(file + ": bad numerical configuration: " + name + " = " + e.value());
        }
        if (v < min) throw new TableException(file + ": invalid " + name + " parameter value " + v + " < " + min);
        return v;
    }

    boolean getBool(String name, boolean dflt) throws TableException {
        MainCf.Entry e = entries.get(name);
        if (e == null) return dflt;
        return switch (e.value().strip().toLowerCase()) {
            case "yes", "true", "1" -> true;
            case "no", "false", "0" -> false;
            default -> throw new TableException(file + ": bad boolean configuration: " + name + " = " + e.value());
        };
    }
}
