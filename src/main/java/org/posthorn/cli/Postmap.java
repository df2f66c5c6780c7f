package org.posthorn.cli;

import org.posthorn.table.KeyValue;

/**
 * postmap(1): builds an indexed table (hash, btree, cdb, lmdb) from a "key value" source
 * file, queries (-q), lists (-s), deletes (-d) and adds (-i) entries. Options as Postfix 3.7:
 * -b -c -d -f -F -h -i -m -n -N -o -p -q -r -s -u -U -v -w.
 */
public final class Postmap extends TableCommand {
    public Postmap() {
        super("postmap");
    }

    @Override
    String optstring() {
        return "bc:d:fFhimnNopq:rsuUvw";
    }

    @Override
    String usage() {
        return "postmap [-bfFhimnNoprsuUvw] [-c config_dir] [-d key] [-q key] [map_type:]file...";
    }

    @Override
    String[] entry(String where, String text) {
        try {
            KeyValue kv = KeyValue.parse(text);
            return new String[] {kv.key(), kv.value()};
        } catch (KeyValue.BadLine e) {
            boolean quote = e.getMessage().startsWith("unbalanced");
            warn(where + ": " + e.getMessage() + (quote ? " -- ignoring this line" : ""));
            return null;
        }
    }

    @Override
    String format(String key, String value) {
        return key + "\t" + value;
    }
}
