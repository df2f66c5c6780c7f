package org.posthorn.config;

/** A configuration error; the message names the file and line where there is one. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
