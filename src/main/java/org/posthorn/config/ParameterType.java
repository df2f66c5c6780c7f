package org.posthorn.config;

/** The value types of Postfix parameters, as postconf(5) describes them. */
public enum ParameterType {
    BOOL, INT, TIME, SIZE, LIST, TABLES, STRING;

    static ParameterType parse(String text) {
        return switch (text.endsWith(":raw") ? text.substring(0, text.length() - 4) : text) {
            case "bool" -> BOOL;
            case "int" -> INT;
            case "size" -> SIZE;
            case "list" -> LIST;
            case "tables" -> TABLES;
            case "string" -> STRING;
            default -> {
                if (text.startsWith("time:")) yield TIME;
                throw new IllegalArgumentException("unknown parameter type " + text);
            }
        };
    }
}
