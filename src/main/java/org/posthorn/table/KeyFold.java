package org.posthorn.table;

import java.util.Locale;
import org.posthorn.config.Config;

/**
 * How a fixed-string table folds keys to lower case: not at all (postmap -f), ASCII letters
 * only, or all of Unicode when smtputf8_enable is on, as Postfix's casefold() does.
 */
public enum KeyFold {
    NONE, ASCII, UTF8;

    /** The folding Postfix applies with this configuration; {@code fold} false is postmap -f. */
    public static KeyFold of(Config config, boolean fold) {
        if (!fold) return NONE;
        return config.getBool("smtputf8_enable") ? UTF8 : ASCII;
    }

    public String apply(String key) {
        if (this == NONE) return key;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c >= 'A' && c <= 'Z' || c >= 0x80 && this == UTF8) return lower(key);
        }
        return key;
    }

    private String lower(String key) {
        if (this == UTF8) return key.toLowerCase(Locale.ROOT);
        char[] chars = key.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') chars[i] += 'a' - 'A';
        }
        return new String(chars);
    }
}
