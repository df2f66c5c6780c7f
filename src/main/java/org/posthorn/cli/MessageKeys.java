package org.posthorn.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The lookup keys of postmap -h and -b: each logical header of a message on stdin (a
 * multi-line header becomes one key with embedded newlines), or each body line after the
 * headers. MIME parts are not parsed (-m is accepted but attachment headers are body lines).
 */
final class MessageKeys {
    private MessageKeys() {
    }

    static List<String> of(List<String> message, boolean headers, boolean body) {
        List<String> keys = new ArrayList<>();
        int i = 0;
        StringBuilder header = null;
        for (; i < message.size(); i++) {
            String line = message.get(i);
            boolean continuation = !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t');
            if (continuation && header != null) {
                header.append('\n').append(line);
                continue;
            }
            if (header != null && headers) keys.add(header.toString());
            header = null;
            if (line.isEmpty() || !isHeaderStart(line)) break;
            header = new StringBuilder(line);
        }
        if (header != null && headers) keys.add(header.toString());
        if (body) {
            // the empty line that ends the headers is not a body line
            if (i < message.size() && message.get(i).isEmpty()) i++;
            keys.addAll(message.subList(Math.min(i, message.size()), message.size()));
        }
        return keys;
    }

    /** "Name:" with a name of printable characters other than ':' and space (RFC 5322 field name). */
    private static boolean isHeaderStart(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) return false;
        for (int k = 0; k < colon; k++) {
            char c = line.charAt(k);
            if (c <= ' ' || c >= 127) return k > 0 && line.substring(k, colon).isBlank();
        }
        return true;
    }
}
