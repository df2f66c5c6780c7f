package org.posthorn.master;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.posthorn.config.Config;
import org.posthorn.config.MasterCf;

/**
 * The column checks master(8) makes on master.cf before it runs anything, each error
 * naming the file and line: type, the y/n columns, wakeup, maxproc and the inet port.
 * (The parser in config/ checks the field count; this adds what the master relies on.)
 */
public final class MasterCfCheck {
    private static final Set<String> TYPES = Set.of("inet", "unix", "unix-dgram", "fifo", "pass");
    private static final Set<String> YES_NO = Set.of("y", "n", "-");
    private static final Pattern WAKEUP = Pattern.compile("-|\\d{1,9}\\??");
    private static final Pattern MAXPROC = Pattern.compile("-|\\d{1,9}");

    private MasterCfCheck() {
    }

    /** The errors in {@code table}, in file order; empty when the master can run it. */
    public static List<String> check(MasterCf table, Config config) {
        List<String> errors = new ArrayList<>();
        for (MasterCf.Service s : table.services()) {
            String where = "file " + table.file() + ": line " + s.line() + ": ";
            if (!TYPES.contains(s.type())) errors.add(where + "invalid type field \"" + s.type() + "\"");
            if (!YES_NO.contains(s.privateColumn())) errors.add(where + "invalid private field \"" + s.privateColumn() + "\"");
            if (!YES_NO.contains(s.unprivColumn())) errors.add(where + "invalid unprivileged field \"" + s.unprivColumn() + "\"");
            if (!YES_NO.contains(s.chrootColumn())) errors.add(where + "invalid chroot field \"" + s.chrootColumn() + "\"");
            if (!WAKEUP.matcher(s.wakeupColumn()).matches()) errors.add(where + "invalid wakeup field \"" + s.wakeupColumn() + "\"");
            if (!MAXPROC.matcher(s.maxprocColumn()).matches()) errors.add(where + "invalid maxproc field \"" + s.maxprocColumn() + "\"");
            if (s.type().equals("inet")) {
                try {
                    ListenAddress.port(portPart(s.name()));
                } catch (IllegalArgumentException e) {
                    errors.add(where + e.getMessage());
                }
            } else if (s.name().contains("/") || s.name().equals("..") || s.name().equals(".")) {
                errors.add(where + "invalid service name \"" + s.name() + "\": a " + s.type() + " service is a file name in public/ or private/");
            }
        }
        return errors;
    }

    private static String portPart(String service) {
        int colon = service.lastIndexOf(':');
        return colon < 0 ? service : service.substring(colon + 1);
    }
}
