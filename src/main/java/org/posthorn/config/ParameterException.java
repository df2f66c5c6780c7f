package org.posthorn.config;

/**
 * A parameter value that cannot be used: a $name expansion error, a loop, or a value that is
 * not of the parameter's type. Unchecked because it can surface from any getter; the message
 * names the parameter and the value, as Postfix's fatal messages do.
 */
public final class ParameterException extends RuntimeException {
    public ParameterException(String message) {
        super(message);
    }
}
