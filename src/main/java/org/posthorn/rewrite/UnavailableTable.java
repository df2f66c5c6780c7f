package org.posthorn.rewrite;

import org.posthorn.address.TableOpener;
import org.posthorn.log.Log;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;

/**
 * Stands in for a table that could not be opened: every lookup fails, so that the
 * requests that need it are deferred (resolve FAIL) while the others still work, as with
 * Postfix's "table is unavailable" dictionaries.
 */
final class UnavailableTable implements Table {
    private final String spec;
    private final String reason;

    private UnavailableTable(String spec, String reason) {
        this.spec = spec;
        this.reason = reason;
    }

    /** An opener that logs an open failure once and returns an unavailable table. */
    static TableOpener onOpenFailure(TableOpener opener, Log log) {
        return spec -> {
            try {
                return opener.open(spec);
            } catch (TableException e) {
                log.warning("%s is unavailable. %s", spec, e.getMessage());
                return new UnavailableTable(spec, e.getMessage());
            }
        };
    }

    @Override
    public String name() {
        return spec;
    }

    @Override
    public String lookup(String key) throws TableException {
        throw new TableException(spec + " lookup error for \"" + key + "\": " + reason);
    }
}
