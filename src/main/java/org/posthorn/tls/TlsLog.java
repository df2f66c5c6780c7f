package org.posthorn.tls;

/**
 * Postfix's TLS log lines: {@code Anonymous TLS connection established from name[addr]: ...}
 * and the handshake failure lines, worded as Postfix 3.7 writes them.
 */
public final class TlsLog {
    private TlsLog() {
    }

    /** How much the peer was trusted: Anonymous (no certificate), Untrusted, Trusted (chain verified), Verified (name matched too). */
    public enum Trust {
        ANONYMOUS("Anonymous"), UNTRUSTED("Untrusted"), TRUSTED("Trusted"), VERIFIED("Verified");

        private final String word;

        Trust(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    /** {@code Trusted TLS connection established from name[addr]: TLSv1.3 with cipher ...} (a server's line). */
    public static String establishedFrom(Trust trust, String nameAddr, TlsSummary summary) {
        return trust.word() + " TLS connection established from " + nameAddr + ": " + summary.text();
    }

    /** {@code Verified TLS connection established to host[addr]:port: ...} (a client's line). */
    public static String establishedTo(Trust trust, String hostAddrPort, TlsSummary summary) {
        return trust.word() + " TLS connection established to " + hostAddrPort + ": " + summary.text();
    }

    /** {@code SSL_accept error from name[addr]: reason} (a server's failed handshake). */
    public static String acceptError(String nameAddr, String reason) {
        return "SSL_accept error from " + nameAddr + ": " + reason;
    }

    /** {@code SSL_connect error to host[addr]:port: reason} (a client's failed handshake). */
    public static String connectError(String hostAddrPort, String reason) {
        return "SSL_connect error to " + hostAddrPort + ": " + reason;
    }
}
