package org.posthorn.sasl;

import java.util.List;
import org.posthorn.config.Config;

/**
 * smtpd_sasl_mechanism_filter and smtp_sasl_mechanism_filter: a list of mechanism names,
 * each possibly negated with "!"; the first that matches decides, and {@code static:all} or
 * {@code static:rest} matches every name. An empty filter lets everything through; a
 * mechanism that no entry matches is dropped.
 */
public final class MechanismFilter {
    private final List<String> entries;

    public MechanismFilter(String value) {
        this.entries = Config.splitList(value);
    }

    public boolean allows(String mechanism) {
        if (entries.isEmpty()) return true;
        for (String e : entries) {
            boolean negated = e.startsWith("!");
            String name = negated ? e.substring(1) : e;
            if (name.equalsIgnoreCase("static:all") || name.equalsIgnoreCase("static:rest")
                    || name.equalsIgnoreCase(mechanism)) {
                return !negated;
            }
        }
        return false;
    }
}
