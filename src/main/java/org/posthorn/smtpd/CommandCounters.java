package org.posthorn.smtpd;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-command success and attempt counts for the {@code disconnect from ...} line
 * (Postfix 3.0+): {@code ehlo=1 mail=1 rcpt=0/1 ... commands=3/4}, in Postfix's command
 * table order, {@code /total} only where something failed (and {@code commands=0/0}).
 */
final class CommandCounters {
    private static final List<String> COMMANDS = List.of("HELO", "EHLO", "XCLIENT", "XFORWARD", "STARTTLS",
            "AUTH", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "VRFY", "ETRN", "QUIT");

    /** [successes, attempts] per command. */
    private final Map<String, int[]> counts = new LinkedHashMap<>();
    private int unknown;

    CommandCounters() {
        for (String c : COMMANDS) counts.put(c, new int[2]);
    }

    /** Whether the (upper-case) verb is one smtpd knows. */
    boolean known(String verb) {
        return counts.containsKey(verb);
    }

    void attempted(String verb) {
        counts.get(verb)[1]++;
    }

    void succeeded(String verb) {
        counts.get(verb)[0]++;
    }

    /** An unknown or forbidden command: counted as {@code unknown=0/n}. */
    void unknown() {
        unknown++;
    }

    /** The counters part of the disconnect line, starting with a space. */
    String text() {
        StringBuilder out = new StringBuilder();
        int ok = 0;
        int total = 0;
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            int[] c = e.getValue();
            if (c[1] == 0) continue;
            out.append(' ').append(e.getKey().toLowerCase(Locale.ROOT)).append('=').append(c[0]);
            if (c[0] != c[1]) out.append('/').append(c[1]);
            ok += c[0];
            total += c[1];
        }
        if (unknown > 0) out.append(" unknown=0/").append(unknown);
        total += unknown;
        out.append(" commands=").append(ok);
        if (ok != total || total == 0) out.append('/').append(total);
        return out.toString();
    }
}
