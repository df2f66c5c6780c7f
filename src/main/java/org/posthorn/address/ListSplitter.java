package org.posthorn.address;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a list parameter value on commas and white space, keeping text inside { } together
 * so that "inline:{ a=b, c=d }" stays one element (Postfix's brace-aware list parsing). The
 * one splitter for parameter lists, table lists and the elements of inline:, unionmap: ...
 */
public final class ListSplitter {
    private ListSplitter() {
    }

    public static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (depth == 0 && (c == ',' || Tokenizer.isSpace(c))) {
                if (!cur.isEmpty()) out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}' && depth > 0) depth--;
            cur.append(c);
        }
        if (!cur.isEmpty()) out.add(cur.toString());
        return out;
    }
}
