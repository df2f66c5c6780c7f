package org.posthorn.table;

/** A table that cannot be opened or cannot answer now; carries the table's name in its message. */
public class TableException extends Exception {
    public TableException(String message) {
        super(message);
    }

    public TableException(String message, Throwable cause) {
        super(message, cause);
    }
}
