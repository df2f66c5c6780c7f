package org.posthorn.qmgr;

import java.util.Locale;

/**
 * A concurrency feedback setting (*_destination_concurrency_positive_feedback and
 * _negative_feedback): a constant ("1", "0.5") or a function of the concurrency window
 * ("1/concurrency", "1/sqrt_concurrency"), as SCHEDULER_README defines them.
 */
record Feedback(double constant, Kind kind) {
    enum Kind { CONSTANT, INVERSE, INVERSE_SQRT }

    /** Parses a setting; throws IllegalArgumentException naming the parameter for a bad value. */
    static Feedback parse(String name, String value) {
        String v = value.strip().toLowerCase(Locale.ROOT).replace(" ", "");
        switch (v) {
            case "1/concurrency" -> {
                return new Feedback(0, Kind.INVERSE);
            }
            case "1/sqrt_concurrency" -> {
                return new Feedback(0, Kind.INVERSE_SQRT);
            }
            default -> {
                try {
                    double d = Double.parseDouble(v);
                    if (d > 0 && d <= 1) return new Feedback(d, Kind.CONSTANT);
                } catch (NumberFormatException e) {
                    // fall through to the error
                }
                throw new IllegalArgumentException("bad " + name + " value: " + value);
            }
        }
    }

    /** The feedback amount at a window size. */
    double at(int window) {
        int n = Math.max(1, window);
        return switch (kind) {
            case CONSTANT -> constant;
            case INVERSE -> 1.0 / n;
            case INVERSE_SQRT -> 1.0 / Math.sqrt(n);
        };
    }
}
