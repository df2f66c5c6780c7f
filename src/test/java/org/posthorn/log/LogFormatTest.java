package org.posthorn.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import java.util.MissingFormatArgumentException;
import org.junit.jupiter.api.Test;

class LogFormatTest {
    @Test
    void theFastPathGivesWhatStringFormatGives() {
        Object[][] cases = {
            {"%s: client=%s", "ABC123", "localhost[127.0.0.1]"},
            {"%s: from=<%s>, size=%d, nrcpt=%d (queue active)", "Q1", "a@b", 4336L, 1},
            {"100%% done by %s", "me"},
            {"no conversions"},
            {"%s and %s", null, "x"},
            {"%5s|%-3d|%x", "ab", 7, 255},
            {"%d", 3.5},
            {"extra args %s", "a", "b"},
        };
        for (Object[] c : cases) {
            String format = (String) c[0];
            Object[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            String expected = args.length == 0 ? format : safeFormat(format, args);
            if (expected != null) assertThat(Log.format(format, args)).as(format).isEqualTo(expected);
        }
    }

    @Test
    void tooFewArgumentsFailAsStringFormatDoes() {
        assertThatThrownBy(() -> Log.format("%s %s", "one")).isInstanceOf(MissingFormatArgumentException.class);
    }

    private static String safeFormat(String format, Object[] args) {
        try {
            return String.format(Locale.ROOT, format, args);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
