package org.posthorn.cleanup;

import org.posthorn.config.Config;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;

/** How cleanup opens a {@code type:name} table; the default is the shared table factory. */
@FunctionalInterface
public interface TableOpener {
    Table open(String spec, Config config) throws TableException;

    /** regexp: and pcre: directly, every other type through TableFactory. */
    TableOpener DEFAULT = AddressMaps::openTable;
}
