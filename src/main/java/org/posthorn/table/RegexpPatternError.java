package org.posthorn.table;

/**
 * A table pattern that cannot be compiled. Either Postfix rejects it too (the rule is
 * skipped with a warning, as Postfix does), or it is valid for Postfix but uses a feature
 * java.util.regex cannot express (the table then fails to open rather than behave
 * differently from Postfix).
 */
final class RegexpPatternError extends Exception {
    private final boolean unsupported;

    private RegexpPatternError(String message, boolean unsupported) {
        super(message);
        this.unsupported = unsupported;
    }

    /** A pattern the C library rejects as well. */
    static RegexpPatternError invalid(String message) {
        return new RegexpPatternError(message, false);
    }

    /** A valid pattern that Posthorn cannot match the way Postfix does. */
    static RegexpPatternError unsupported(String message) {
        return new RegexpPatternError(message, true);
    }

    boolean unsupported() {
        return unsupported;
    }
}
