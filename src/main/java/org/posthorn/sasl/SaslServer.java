package org.posthorn.sasl;

import java.io.IOException;
import java.util.List;

/**
 * One smtpd session's SASL server (Postfix's xsasl server): the mechanisms it offers and the
 * authentication exchanges of the AUTH command. Responses and challenges stay base64 text,
 * as they travel in SMTP; the backend decodes them.
 */
public interface SaslServer extends AutoCloseable {

    /** The mechanisms the backend offers, before any security option or filter. */
    List<Mechanism> mechanisms() throws IOException;

    /**
     * Starts an exchange. The mechanism has been checked against the offered list.
     *
     * @param initialResponse the base64 text after the mechanism name ("=" for an empty
     *                        response), or null when the client sent none
     */
    Step start(String mechanism, String initialResponse, Peer peer) throws IOException;

    /** The client's base64 answer to the last challenge. */
    Step next(String response) throws IOException;

    @Override
    void close();

    /** What the backend may want to know about the client (Dovecot's lip/rip/secured). */
    record Peer(String clientAddress, int clientPort, String serverAddress, int serverPort, boolean secured,
                String service) {
    }

    /** The outcome of one step of an exchange. */
    sealed interface Step {
        /** 334 with this base64 challenge (may be empty). */
        record Challenge(String base64) implements Step {
        }

        /** Authenticated as this user. */
        record Success(String username) implements Step {
        }

        /**
         * Refused: reason (may be empty: "(reason unavailable)" in reply and log) and the login
         * name the backend saw (null when unknown); temporary means 454 instead of 535.
         */
        record Failure(String reason, String username, boolean temporary) implements Step {
        }
    }
}
