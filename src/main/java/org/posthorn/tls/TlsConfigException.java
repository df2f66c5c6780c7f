package org.posthorn.tls;

/** A TLS setting that cannot be used (a missing or unreadable key or certificate, a bad list); the text names the file or parameter. */
public final class TlsConfigException extends RuntimeException {
    public TlsConfigException(String message) {
        super(message);
    }

    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
