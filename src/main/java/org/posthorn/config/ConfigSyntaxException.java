package org.posthorn.config;

import java.io.IOException;

/**
 * A main.cf line that cannot be parsed ("missing '=' after attribute name"); the message
 * names the file and line. An IOException so that {@link Config#load} keeps its signature.
 */
public final class ConfigSyntaxException extends IOException {
    public ConfigSyntaxException(String message) {
        super(message);
    }
}
