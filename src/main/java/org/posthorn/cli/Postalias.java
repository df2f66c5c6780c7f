package org.posthorn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.posthorn.table.AliasSyntax;
import org.posthorn.table.TableWriter;

/**
 * postalias(1): builds, queries (-q), lists (-s), deletes from (-d) and adds to (-i) an alias
 * table in aliases(5) syntax ("name: value, value"). Like Postfix it also stores the Sendmail
 * "@" entry and the NIS YP_LAST_MODIFIED / YP_MASTER_NAME entries.
 */
public final class Postalias extends TableCommand {
    public Postalias() {
        super("postalias");
    }

    @Override
    String optstring() {
        return "Nc:d:finopq:rsuvw";
    }

    @Override
    String usage() {
        return "postalias [-Nfinoprsuvw] [-c config_dir] [-d key] [-q key] [map_type:]file...";
    }

    @Override
    String[] entry(String where, String text) {
        try {
            AliasSyntax.Alias a = AliasSyntax.parse(text);
            return a == null ? null : new String[] {a.name(), a.value()};
        } catch (AliasSyntax.BadAlias e) {
            warn(where + ": " + e.getMessage());
            return null;
        }
    }

    @Override
    String format(String key, String value) {
        return key + ":\t" + value;
    }

    @Override
    void sign(TableWriter writer) {
        writer.replace("YP_LAST_MODIFIED", Long.toString(System.currentTimeMillis() / 1000));
        writer.replace("YP_MASTER_NAME", masterName());
        writer.replace("@", "@");
    }

    /** Postfix stores $myhostname; its default is the host name, with ".localdomain" when it has no dot. */
    private String masterName() {
        String configured = config.get("myhostname").strip();
        if (!configured.isEmpty()) return configured;
        String h = hostname();
        return h.indexOf('.') >= 0 ? h : h + ".localdomain";
    }

    /** gethostname(2), read from the kernel so that no name service is asked. */
    private static String hostname() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!h.isEmpty()) return h;
        } catch (IOException e) {
            // not Linux: fall through
        }
        String env = System.getenv("HOSTNAME");
        return env != null && !env.isEmpty() ? env : "localhost";
    }
}
